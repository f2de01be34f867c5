import Foundation
import TestSupport

/// Runs the real `pleura` binary, as a user would, on a temporary catalog.
struct PleuraCLI {
  struct Result {
    var status: Int32
    var stdout: String
    var stderr: String
  }

  /// `PLEURA_BIN` when set, else the debug build next to the tests.
  static var binary: URL {
    if let path = ProcessInfo.processInfo.environment["PLEURA_BIN"] { return URL(fileURLWithPath: path) }
    return PackageRoot.url.appendingPathComponent(".build/debug/pleura")
  }

  let folder: URL
  var catalog: URL { folder.appendingPathComponent("catalog") }

  init() {
    folder = FileManager.default.temporaryDirectory.appendingPathComponent("pleura-cli-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  }

  func cleanUp() { try? FileManager.default.removeItem(at: folder) }

  /// Runs `pleura ARGS --catalog <this catalog>` and waits for it.
  @discardableResult
  func run(_ arguments: [String], environment: [String: String] = [:], withCatalog: Bool = true) throws
    -> Result
  {
    let process = try start(arguments, environment: environment, withCatalog: withCatalog)
    return process.finish()
  }

  func start(_ arguments: [String], environment: [String: String] = [:], withCatalog: Bool = true) throws
    -> RunningProcess
  {
    let process = Process()
    process.executableURL = Self.binary
    process.arguments = arguments + (withCatalog ? ["--catalog", catalog.path] : [])
    process.currentDirectoryURL = folder
    var env = ProcessInfo.processInfo.environment
    env.removeValue(forKey: "PLEURA_CATALOG")
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let out = folder.appendingPathComponent("out-\(UUID().uuidString)")
    let err = folder.appendingPathComponent("err-\(UUID().uuidString)")
    _ = FileManager.default.createFile(atPath: out.path, contents: nil)
    _ = FileManager.default.createFile(atPath: err.path, contents: nil)
    process.standardOutput = try FileHandle(forWritingTo: out)
    process.standardError = try FileHandle(forWritingTo: err)
    try process.run()
    return RunningProcess(process: process, out: out, err: err)
  }

  /// Parses a `--json` listing.
  func json(_ arguments: [String]) throws -> Any {
    let result = try run(arguments + ["--json"])
    return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
  }
}

struct RunningProcess {
  let process: Process
  let out: URL
  let err: URL

  func finish() -> PleuraCLI.Result {
    process.waitUntilExit()
    let stdout = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
    let stderr = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
    try? FileManager.default.removeItem(at: out)
    try? FileManager.default.removeItem(at: err)
    return PleuraCLI.Result(status: process.terminationStatus, stdout: stdout, stderr: stderr)
  }
}
