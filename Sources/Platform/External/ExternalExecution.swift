import Foundation
import Logging

/// One execution of an external plugin's program on this machine: writes the request, starts
/// the process, shows its progress lines, and returns its result, or throws why there is none
/// (non-zero exit, signal, timeout, cancellation, no or several results) with its last
/// standard-error lines.
struct ExternalExecution: Sendable {
  let plugin: ExternalPlugin
  let logger: Logger
  let progress: ProgressSink

  /// Runs the plugin on `request` inside `scratch` (which holds the request file and the output
  /// folder the request names, created empty here); returns its result and its last
  /// standard-error lines, for a result that later checks refuse.
  func execute(_ request: ExternalPluginRequest, in scratch: URL) async throws
    -> (result: ExternalPluginResult, stderr: [String])
  {
    let name = plugin.manifest.name
    try FileManager.default.createDirectory(
      at: URL(fileURLWithPath: request.outputFolder), withIntermediateDirectories: false)
    let requestFile = scratch.appendingPathComponent("request.json")
    try JSONEncoder().encode(request).write(to: requestFile)
    let collector = MessageCollector(plugin: name, logger: logger, progress: progress)
    var environment = ProcessInfo.processInfo.environment
    for variable in ["OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"]
    where environment[variable] == nil {
      environment[variable] = String(request.threads)
    }
    let seconds = plugin.manifest.resources.timeSeconds
    let ending = try await ExternalProcess.run(
      argv: plugin.argv, stdinFile: requestFile, workingDirectory: URL(fileURLWithPath: request.outputFolder),
      environment: environment, timeoutSeconds: seconds, onLine: { collector.receive($0) })
    if ending.cancelled { throw CancellationError() }
    if ending.timedOut {
      throw ExternalPluginError.timedOut(plugin: name, seconds: seconds, stderr: ending.stderrTail)
    }
    if let signal = ending.signal {
      throw ExternalPluginError.killed(plugin: name, signal: signal, stderr: ending.stderrTail)
    }
    if let status = ending.exitStatus, status != 0 {
      throw ExternalPluginError.exited(plugin: name, status: status, stderr: ending.stderrTail)
    }
    switch collector.outcome() {
    case .success(let result): return (result, ending.stderrTail)
    case .failure(let failure):
      throw ExternalPluginError.invalidResult(plugin: name, reason: failure.reason, stderr: ending.stderrTail)
    }
  }
}

/// Reads standard-output lines as protocol messages: progress goes to the sink, log lines to the
/// logger, and the one result is kept. A line that is not a message is logged, not fatal (a
/// library may print); a second result or an over-long line is a protocol error.
final class MessageCollector: @unchecked Sendable {
  let plugin: String
  let logger: Logger
  let progress: ProgressSink
  private let lock = NSLock()
  private var result: ExternalPluginResult?
  private var problem: String?

  init(plugin: String, logger: Logger, progress: ProgressSink) {
    self.plugin = plugin
    self.logger = logger
    self.progress = progress
  }

  func receive(_ line: Data) {
    guard line.count <= ExternalProcess.maxLineBytes else {
      return lock.withLock {
        problem = problem ?? "a standard-output line is longer than \(ExternalProcess.maxLineBytes) bytes"
      }
    }
    guard line.first == UInt8(ascii: "{"),
      let message = try? JSONDecoder().decode(ExternalMessage.self, from: line)
    else {
      if line.first == UInt8(ascii: "{"), String(decoding: line, as: UTF8.self).contains("\"result\"") {
        // A result line that does not parse is the plugin's mistake, not noise.
        let detail = Self.decodingProblem(line)
        return lock.withLock { problem = problem ?? "its result line is not valid: \(detail)" }
      }
      logger.debug("\(plugin): \(String(decoding: line.prefix(500), as: UTF8.self))")
      return
    }
    if let report = message.progress {
      progress(
        report.label.isEmpty ? plugin : String(report.label.prefix(80)), max(0, report.done),
        report.total.map { max(0, $0) }, unit: String((report.unit ?? "").prefix(40)),
        detail: String((report.detail ?? "").prefix(200)))
    }
    if let log = message.log { logger.info("\(plugin): \(log.prefix(500))") }
    if let result = message.result {
      lock.withLock {
        if self.result != nil { problem = problem ?? "it gave more than one result" }
        self.result = result
      }
    }
  }

  func outcome() -> Result<ExternalPluginResult, ExternalResultCheck.Failure> {
    lock.withLock {
      if let problem { return .failure(ExternalResultCheck.Failure(problem)) }
      guard let result else {
        return .failure(
          ExternalResultCheck.Failure("it printed no {\"result\": ...} line on standard output"))
      }
      return .success(result)
    }
  }

  static func decodingProblem(_ line: Data) -> String {
    do {
      _ = try JSONDecoder().decode(ExternalMessage.self, from: line)
      return "unknown"
    } catch DecodingError.keyNotFound(let key, let context) {
      return "missing '\(key.stringValue)' at " + path(context)
    } catch DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context) {
      return "wrong type at " + path(context)
    } catch DecodingError.dataCorrupted(let context) {
      return context.codingPath.isEmpty ? "not JSON" : "bad value at " + path(context)
    } catch {
      return "not JSON"
    }
  }

  private static func path(_ context: DecodingError.Context) -> String {
    context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
  }
}
