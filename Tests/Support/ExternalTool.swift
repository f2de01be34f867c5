import Foundation

/// Tools nobody here wrote (ffmpeg, tar, python3 with bagit, rocrate or numpy) that tests use to
/// make fixtures and check results; Pleura itself never runs them.
public enum ExternalTool {
  /// The first executable `name` on the PATH.
  public static func which(_ name: String) -> String? {
    (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":").map { "\($0)/\(name)" }
      .first { FileManager.default.isExecutableFile(atPath: $0) }
  }

  /// What a finished tool said.
  public struct Result: Sendable {
    public var status: Int32
    /// Standard output as it came (raw video frames, for example).
    public var stdoutData: Data
    public var stderr: String
    public var stdout: String { String(decoding: stdoutData, as: UTF8.self) }
    /// Both streams, standard output first.
    public var output: String { stdout + stderr }

    public init(status: Int32, stdoutData: Data = Data(), stderr: String) {
      (self.status, self.stdoutData, self.stderr) = (status, stdoutData, stderr)
    }
  }

  /// Runs `executable` with `arguments` and waits for it; a tool that cannot start gives status -1.
  public static func run(_ executable: String, _ arguments: [String]) -> Result {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    do {
      try process.run()
    } catch {
      return Result(status: -1, stderr: "\(error)")
    }
    // Standard error is read on another thread while this one reads standard output, so that
    // neither pipe fills up and blocks the tool.
    let errors = PipeReader(err)
    let output = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Result(
      status: process.terminationStatus, stdoutData: output,
      stderr: String(decoding: errors.wait(), as: UTF8.self))
  }

  /// Runs `name` from the PATH and returns its standard output; throws with its standard error
  /// when it fails.
  @discardableResult
  public static func check(_ name: String, _ arguments: [String]) throws -> String {
    String(decoding: try checkData(name, arguments), as: UTF8.self)
  }

  /// The same, standard output as bytes.
  public static func checkData(_ name: String, _ arguments: [String]) throws -> Data {
    let result = run(which(name) ?? "/usr/bin/\(name)", arguments)
    guard result.status == 0 else {
      throw FixtureError("\(name) \(arguments.joined(separator: " ")): " + result.stderr)
    }
    return result.stdoutData
  }
}

/// The Python interpreter for checks by Python tools: `$PLEURA_PYTHON`, else
/// `benchmarks/.venv/bin/python3` when that venv exists (see benchmarks/bundle/README.md), else
/// `python3` on the PATH.
public enum Python {
  public static let interpreter: String? = {
    if let path = ProcessInfo.processInfo.environment["PLEURA_PYTHON"] { return path }
    let venv = PackageRoot.url.appendingPathComponent("benchmarks/.venv/bin/python3").path
    return FileManager.default.isExecutableFile(atPath: venv) ? venv : ExternalTool.which("python3")
  }()

  /// Whether `import module` works.
  public static func has(_ module: String) -> Bool { run(["-c", "import \(module)"]).status == 0 }

  /// Runs the interpreter with `arguments`.
  public static func run(_ arguments: [String]) -> ExternalTool.Result {
    guard let interpreter else { return ExternalTool.Result(status: -1, stderr: "no python3") }
    return ExternalTool.run(interpreter, arguments)
  }
}

/// Reads a pipe to its end on a background queue.
private final class PipeReader: @unchecked Sendable {
  private var data = Data()
  private let group = DispatchGroup()

  init(_ pipe: Pipe) {
    group.enter()
    DispatchQueue.global().async {
      self.data = pipe.fileHandleForReading.readDataToEndOfFile()
      self.group.leave()
    }
  }

  func wait() -> Data {
    group.wait()
    return data
  }
}
