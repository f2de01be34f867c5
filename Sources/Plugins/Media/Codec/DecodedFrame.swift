/// One decoded frame: its grey (luma) image and when it is shown.
public struct DecodedFrame: Sendable {
  /// 0-based position in decoding output order (which is presentation order).
  public let index: Int
  /// Presentation timestamp in `timeBase` units, relative to the start of the file (first frame ≈ 0).
  public let pts: Int64
  /// How long the frame is shown, in `timeBase` units (from the container, or one frame period).
  public let duration: Int64
  /// The stream's time base: seconds per `pts` unit.
  public let timeBase: VideoRational
  /// The luma plane.
  public let image: GrayImage

  /// Presentation time in seconds from the start of the file.
  public var seconds: Double { Double(pts) * timeBase.doubleValue }

  /// Display end time in seconds.
  public var endSeconds: Double { Double(pts + duration) * timeBase.doubleValue }
}
