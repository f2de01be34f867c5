import Foundation
import TestSupport

/// Runs Python tools nobody here wrote (bagit, rocrate, roc-validator) when they are installed.
///
/// The interpreter is `$PLEURA_PYTHON`, else `benchmarks/.venv/bin/python3` when that venv exists
/// (see benchmarks/bundle/README.md), else `python3` on the PATH.
enum Python {
  static let interpreter: String = {
    if let path = ProcessInfo.processInfo.environment["PLEURA_PYTHON"] { return path }
    let root = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
    let venv = root.appending(path: "benchmarks/.venv/bin/python3").path
    return FileManager.default.isExecutableFile(atPath: venv) ? venv : "/usr/bin/env"
  }()

  static var prefix: [String] { interpreter == "/usr/bin/env" ? ["python3"] : [] }

  /// Whether `import module` works.
  static func has(_ module: String) -> Bool {
    run(["-c", "import \(module)"]).status == 0
  }

  /// Runs the interpreter with `arguments`; returns the exit status and stdout+stderr.
  static func run(_ arguments: [String]) -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(filePath: interpreter)
    process.arguments = prefix + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    do {
      try process.run()
    } catch {
      return (-1, "\(error)")
    }
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: output, as: UTF8.self))
  }
}

/// Runs a command-line tool (e.g. tar) and returns its exit status and output.
func runTool(_ path: String, _ arguments: [String]) -> (status: Int32, output: String) {
  let process = Process()
  process.executableURL = URL(filePath: path)
  process.arguments = arguments
  let pipe = Pipe()
  process.standardOutput = pipe
  process.standardError = pipe
  do {
    try process.run()
  } catch {
    return (-1, "\(error)")
  }
  let output = pipe.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return (process.terminationStatus, String(decoding: output, as: UTF8.self))
}
