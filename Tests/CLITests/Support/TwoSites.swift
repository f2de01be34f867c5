import Foundation
import TestSupport

/// Site A ("Hospital A") trains and evaluates a small model on `demo@1` and exports the dataset
/// with it; site B ("Hospital B") imports the bundle, so B lists the dataset as
/// `Hospital A/demo@1`. Built once per test process for the tests that only read it, and removed
/// when the process exits. It trains a model: the suites that use it are tagged `.slow`.
actor TwoSites {
  static let shared = TwoSites()

  struct Sites: Sendable {
    var a: PleuraCLI
    var b: PleuraCLI
    var model: String
    var bundle: String
  }

  private var building: Task<Sites, any Error>?

  func sites() async throws -> Sites {
    if building == nil { building = Task { try Self.build() } }
    guard let building else { throw FixtureError("unreachable") }
    return try await building.value
  }

  nonisolated(unsafe) private static var foldersToRemove: [String] = []

  private static func build() throws -> Sites {
    let a = PleuraCLI()
    let b = PleuraCLI()
    foldersToRemove = [a.folder.path, b.folder.path]
    atexit {
      for folder in TwoSites.foldersToRemove { try? FileManager.default.removeItem(atPath: folder) }
    }
    func step(_ cli: PleuraCLI, _ arguments: [String]) throws {
      let result = try cli.run(arguments)
      guard result.status == 0 else {
        throw FixtureError("pleura \(arguments.joined(separator: " ")): \(result.stderr)")
      }
    }
    try step(a, ["init", "--site-name", "Hospital A"])
    try step(
      a,
      [
        "synthesize", "--patients", "6", "--absent-fraction", "0.5", "--min-seconds", "2.1", "--max-seconds",
        "2.2",
        "--seed", "5",
      ])
    try step(a, ["transcode", "--all", "--preset", "ultrafast"])
    try step(a, ["dataset", "build", "demo"])
    try step(a, ["split", "demo@1"])
    try step(a, ["train", "demo@1", "--width", "0.03125", "--epochs", "1", "--batch", "16"])
    let models = try a.json(["models"]) as? [[String: Any]]
    guard let model = models?.first?["id"] as? String else {
      throw FixtureError("no model at site A")
    }
    try step(a, ["evaluate", model, "--bootstrap", "20"])
    let bundle = a.folder.appendingPathComponent("demo.tar.zst").path
    try step(a, ["export", "demo@1", "-o", bundle, "--with-models"])
    try step(b, ["init", "--site-name", "Hospital B"])
    try step(b, ["import", bundle])
    return Sites(a: a, b: b, model: model, bundle: bundle)
  }
}
