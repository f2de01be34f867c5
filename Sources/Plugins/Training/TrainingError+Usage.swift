import Platform

/// A parameter out of range is the command line's fault (exit 2), whichever command passed it.
extension TrainingError: UsageClassified {
  public var isUsageError: Bool {
    if case .outOfRange = self { return true }
    return false
  }
}
