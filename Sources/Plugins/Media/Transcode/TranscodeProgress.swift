/// How far a conversion has got.
public struct TranscodeProgress: Sendable, Equatable {
  /// Output frames encoded so far.
  public let framesDone: Int
  /// Expected output frames, `round(source duration × rate)`; 0 when the source states no duration.
  public let estimatedTotal: Int
}
