/// What a conversion produced.
public struct TranscodeResult: Sendable, Equatable {
  /// What the source's container said.
  public let source: VideoStreamInfo
  /// Frames decoded from the source.
  public let sourceFrameCount: Int
  /// What was written (size, rate, frame count, duration, codec, container).
  public let output: VideoWriteSummary
}
