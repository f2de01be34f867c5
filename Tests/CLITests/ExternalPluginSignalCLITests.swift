import Foundation
import TestSupport
import Testing

/// SIGINT (Ctrl-C) and SIGTERM sent to `pleura` reach a running external plugin, although the
/// plugin runs in a process group of its own: the plugin records the signal it gets, `pleura`
/// exits non-zero, the run is failed and no entity exists.
///
/// Nothing here waits on a clock: the signal is sent once the plugin has written its readiness
/// file (after installing its handler), and the test then waits for `pleura` to end. The only
/// bound is a generous guard against a hang, which fails the test rather than sleeping.
@Suite(.enabled(if: Python.interpreter != nil, "skipped: no python3"))
struct ExternalPluginSignalCLITests {
  /// A plugin that, on SIGTERM or SIGINT, writes the signal's number to `received` and then dies
  /// of that signal; it writes `ready` once its handlers are in place and then waits.
  static func writePlugin(in folder: URL, ready: URL, received: URL) throws {
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let manifest = #"""
      {"name": "waiter", "version": "1.0.0", "summary": "Waits for a signal and records it.",
       "command": ["waiter.py"], "outputs": ["evaluation"], "deterministic": false,
       "resources": {"timeSeconds": 600}}
      """#
    try Data(manifest.utf8).write(to: folder.appendingPathComponent("plugin.json"))
    let program = """
      #!/usr/bin/env python3
      import os, signal, sys
      sys.stdin.read()
      RECEIVED = \(String(reflecting: received.path))
      READY = \(String(reflecting: ready.path))

      def record(number, frame):
          with open(RECEIVED + ".tmp", "w") as out:
              out.write(str(number))
          os.replace(RECEIVED + ".tmp", RECEIVED)
          signal.signal(number, signal.SIG_DFL)
          os.kill(os.getpid(), number)

      signal.signal(signal.SIGTERM, record)
      signal.signal(signal.SIGINT, record)
      with open(READY + ".tmp", "w") as out:
          out.write(str(os.getpid()))
      os.replace(READY + ".tmp", READY)
      while True:
          signal.pause()

      """
    let file = folder.appendingPathComponent("waiter.py")
    try program.write(to: file, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path)
  }

  @Test(arguments: [SIGINT, SIGTERM])
  func aSignalToPleuraReachesThePluginAndFailsTheRun(signal: Int32) async throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    let plugin = cli.folder.appendingPathComponent("plugins-here/waiter")
    let ready = cli.folder.appendingPathComponent("ready")
    let received = cli.folder.appendingPathComponent("received")
    try Self.writePlugin(in: plugin, ready: ready, received: received)
    let interpreter = URL(fileURLWithPath: Python.interpreter ?? "/usr/bin/python3")
      .deletingLastPathComponent()
    let environment = [
      "PLEURA_PLUGIN_PATH": plugin.deletingLastPathComponent().path,
      "PATH": interpreter.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
    ]
    let before = try CatalogSnapshot.take(cli.catalog)

    let running = try cli.start(["run", "waiter"], environment: environment)
    // Ready means the plugin's handlers are installed, and so are pleura's (it takes the signals
    // over before it starts the plugin).
    let guardLimit = Date().addingTimeInterval(300)
    while !FileManager.default.fileExists(atPath: ready.path) && running.process.isRunning
      && Date() < guardLimit
    {
      try await Task.sleep(for: .milliseconds(20))
    }
    #expect(FileManager.default.fileExists(atPath: ready.path), "the plugin never became ready")
    kill(running.process.processIdentifier, signal)
    let result = running.finish()

    #expect(result.status != 0, "\(result.stderr)")
    let got = try? String(contentsOf: received, encoding: .utf8)
    #expect(got == String(SIGTERM), "the plugin recorded \(got ?? "no signal")")
    #expect(result.stderr.contains("killed by signal \(SIGTERM)"), "\(result.stderr)")
    let runs = try #require(try cli.json(["runs"]) as? [[String: Any]])
    let run = try #require(runs.first { $0["plugin"] as? String == "waiter" })
    #expect(run["status"] as? String == "failed", "\(run)")
    // Only the failed run's row was written: no entity, no edge, no blob.
    let after = try CatalogSnapshot.take(cli.catalog).filter { !$0.hasPrefix("run: ") }
    #expect(after == before.filter { !$0.hasPrefix("run: ") }, "a signalled run left rows or blobs")
  }
}
