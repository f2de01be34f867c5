import Foundation

/// Hooks that let tests reach states a user cannot reach on purpose, such as a process killed
/// between a run's work and its commit. Inert unless the environment variable is set.
public enum DebugHooks {
  /// `PLEURA_DEBUG_PAUSE_BEFORE_COMMIT=SECONDS` sleeps after a plugin's work, before its commit.
  static func pauseBeforeCommit() async throws {
    guard let seconds = commitPause else { return }
    try await Task.sleep(for: .seconds(seconds))
  }

  /// The same pause for services that are not plugins (an import, after its blobs are in place).
  public static func pauseBeforeServiceCommit() {
    guard let seconds = commitPause else { return }
    Thread.sleep(forTimeInterval: seconds)
  }

  private static var commitPause: Double? {
    guard let text = ProcessInfo.processInfo.environment["PLEURA_DEBUG_PAUSE_BEFORE_COMMIT"],
      let seconds = Double(text), seconds > 0
    else { return nil }
    return seconds
  }
}
