/// How a `VideoWriter` encodes: codec, container and frame rate.
///
/// ```swift
/// let options = VideoWriterOptions(codec: .h264(crf: 18, preset: "medium"), frameRate: VideoRational(30, 1))
/// ```
public struct VideoWriterOptions: Hashable, Sendable {
  /// Encoder and its quality settings.
  public var codec: VideoCodec
  /// Container; defaults to the codec's usual one (H.264 → MP4, MPEG-4 → AVI, FFV1 → Matroska).
  public var container: VideoContainer
  /// Constant output frame rate; frame `i` is shown at `i / frameRate` seconds.
  public var frameRate: VideoRational
  /// Encoder threads; 0 lets the encoder choose (x264: about 1.5 per core plus lookahead).
  public var threads: Int

  /// Options for `codec` at `frameRate`, in `container` (or the codec's default container).
  public init(
    codec: VideoCodec = WorkingFormat.codec, container: VideoContainer? = nil,
    frameRate: VideoRational = WorkingFormat.frameRate, threads: Int = 0
  ) {
    self.codec = codec
    self.container = container ?? codec.defaultContainer
    self.frameRate = frameRate
    self.threads = threads
  }
}
