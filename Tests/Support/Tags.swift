import Testing

extension Tag {
  /// Suites that train models, run thousands of cases, or race and kill many `pleura` processes
  /// at once: minutes on two cores. `make test-fast` leaves them out; `make test` runs them.
  @Tag public static var slow: Self
  /// Tests that read the real public clips in `../shared/data/real-lus/` (skipped when absent).
  @Tag public static var realClips: Self
}
