/// What the container and codec say about a video stream, before decoding it.
public struct VideoStreamInfo: Sendable, Equatable {
  /// Container (demuxer) name as FFmpeg knows it, e.g. `"mov,mp4,m4a,3gp,3g2,mj2"`, `"avi"`, `"mpeg"`.
  public let containerName: String
  /// The container in one word: `"mp4"`, `"mov"` (QuickTime brand), `"avi"`, `"mpeg-ps"`, `"gif"`,
  /// `"matroska"`, `"webm"`, or FFmpeg's demuxer name for anything else.
  public let container: String
  /// Codec name, e.g. `"h264"`, `"mpeg4"`, `"mjpeg"`, `"hevc"`.
  public let codecName: String
  /// Coded width in pixels.
  public let width: Int
  /// Coded height in pixels.
  public let height: Int
  /// Average frame rate (falls back to the stream's base rate when the average is unknown).
  public let frameRate: VideoRational
  /// The stream's time base (seconds per timestamp unit).
  public let timeBase: VideoRational
  /// Duration in seconds as the container states it (0 when unknown).
  public let duration: Double
  /// Frame count the container declares (0 when it declares none, e.g. MPEG-PS).
  public let declaredFrameCount: Int
  /// Pixel format name of the decoded pictures, e.g. `"yuv420p"`.
  public let pixelFormatName: String

  /// The declared frame count, or `round(duration × rate)` when none is declared.
  public var estimatedFrameCount: Int {
    if declaredFrameCount > 0 { return declaredFrameCount }
    return Int((duration * frameRate.doubleValue).rounded())
  }
}
