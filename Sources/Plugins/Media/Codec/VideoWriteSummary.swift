/// What a `VideoWriter` wrote.
public struct VideoWriteSummary: Sendable, Equatable {
  /// Width of the frames handed in.
  public let width: Int
  /// Height of the frames handed in.
  public let height: Int
  /// Stored width: `width` rounded up to even for yuv420p codecs (see `VideoWriter`'s size policy).
  public let encodedWidth: Int
  /// Stored height: `height` rounded up to even for yuv420p codecs.
  public let encodedHeight: Int
  /// Constant frame rate of the file.
  public let frameRate: VideoRational
  /// Number of frames written.
  public let frameCount: Int
  /// `frameCount / frameRate`, in seconds.
  public let duration: Double
  /// Codec name as ffprobe reports it.
  public let codecName: String
  /// Container written.
  public let container: VideoContainer
}
