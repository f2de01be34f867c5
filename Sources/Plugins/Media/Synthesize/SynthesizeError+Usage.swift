import Platform

/// Every synthesize refusal is a parameter out of range: the command line's fault (exit 2).
extension SynthesizeError: UsageClassified {
  public var isUsageError: Bool { true }
}
