/// Parameters of a conversion to the working format. Defaults are the study's (``WorkingFormat``):
/// 640x480, 30 fps, H.264 in MP4 (libx264, crf 18, preset medium), stretched.
///
/// ```swift
/// var options = TranscodeOptions()          // the study's format
/// options.codec = .ffv1                     // lossless, Matroska
/// options.scaling = .letterbox
/// ```
public struct TranscodeOptions: Hashable, Sendable {
  /// Output width in pixels.
  public var width: Int
  /// Output height in pixels.
  public var height: Int
  /// Constant output frame rate.
  public var frameRate: VideoRational
  /// Encoder and quality. Lossless choices: `.ffv1` (Matroska) or `.h264Lossless` (x264 qp 0).
  public var codec: VideoCodec
  /// Container; nil means the codec's usual one.
  public var container: VideoContainer?
  /// How frames of another aspect ratio are fitted.
  public var scaling: ScalingMode
  /// Decoder and encoder threads each; 0 lets libavcodec choose.
  public var threads: Int

  /// The study's conversion, with any field overridden.
  public init(
    width: Int = WorkingFormat.width, height: Int = WorkingFormat.height,
    frameRate: VideoRational = WorkingFormat.frameRate, codec: VideoCodec = WorkingFormat.codec,
    container: VideoContainer? = nil, scaling: ScalingMode = WorkingFormat.scaling,
    threads: Int = 0
  ) {
    self.width = width
    self.height = height
    self.frameRate = frameRate
    self.codec = codec
    self.container = container
    self.scaling = scaling
    self.threads = threads
  }

  /// The writer settings these options imply.
  public var writerOptions: VideoWriterOptions {
    VideoWriterOptions(codec: codec, container: container, frameRate: frameRate, threads: threads)
  }
}
