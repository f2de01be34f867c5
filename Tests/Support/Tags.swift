import Testing

extension Tag {
  /// Suites that train models or run thousands of cases: minutes on two cores. `make test-fast`
  /// leaves them out; `make test` runs them.
  @Tag public static var slow: Self
  /// Tests that read the real public clips in `../shared/data/real-lus/` (skipped when absent).
  @Tag public static var realClips: Self
}
