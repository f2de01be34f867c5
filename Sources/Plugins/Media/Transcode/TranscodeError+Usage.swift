import Platform

/// Every transcode refusal is a parameter out of range: the command line's fault (exit 2).
extension TranscodeError: UsageClassified {
  public var isUsageError: Bool { true }
}
