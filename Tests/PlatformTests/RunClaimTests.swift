import Foundation
import GRDB
import Logging
import TestSupport
import Testing

@testable import Platform

/// Identical runs started at once (issue 12, item 2): the second waits for the first and reuses
/// its outputs instead of making them again.
@Suite(.serialized) struct RunClaimTests {
  @Test func anIdenticalRunStartedWhileTheFirstWorksWaitsAndReusesIt() async throws {
    let test = try TestCatalog()
    defer { test.cleanUp() }
    let gate = Gate.named("identical")
    let log = CapturedLog()
    let runner = Runner(catalog: test.catalog, logger: log.logger)
    var parameters = GatedPlugin.Parameters()
    parameters.gate = "identical"
    let first = Task { try await runner.run(GatedPlugin.self, parameters: parameters) }
    try await gate.waitUntilEntered(1)
    let second = Task { try await runner.run(GatedPlugin.self, parameters: parameters) }
    // Either the second run starts its own work (the bug) or it says it waits: then let both go.
    try await until { gate.entered >= 2 || log.contains("waiting to reuse") }
    gate.open()
    let (one, two) = (try await first.value, try await second.value)
    #expect(gate.entered == 1, "the work was done twice")
    #expect(two.reused && two.runID == one.runID && two.outputs == one.outputs)
    let succeeded = try await test.catalog.database.read { db in
      try Run.filter(Run.Columns.plugin == GatedPlugin.name && Run.Columns.status == "succeeded").fetchCount(
        db)
    }
    #expect(succeeded == 1)
  }

  @Test func aWaitingRunStartsItsOwnWhenTheFirstFails() async throws {
    let test = try TestCatalog()
    defer { test.cleanUp() }
    let gate = Gate.named("fails")
    let log = CapturedLog()
    let runner = Runner(catalog: test.catalog, logger: log.logger)
    var parameters = GatedPlugin.Parameters()
    parameters.gate = "fails"
    parameters.failFirst = true
    let first = Task { try await runner.run(GatedPlugin.self, parameters: parameters) }
    try await gate.waitUntilEntered(1)
    let second = Task { try await runner.run(GatedPlugin.self, parameters: parameters) }
    try await until { gate.entered >= 2 || log.contains("waiting to reuse") }
    gate.open()
    await #expect(throws: RunError.self) { try await first.value }
    let two = try await second.value
    #expect(!two.reused && gate.entered == 2)
  }

  @Test func aRunningRowOfADeadProcessIsNotWaitedFor() async throws {
    let test = try TestCatalog()
    defer { test.cleanUp() }
    let runner = Runner(catalog: test.catalog)
    // Learn the cache key of the run, then plant a `running` row with it for a process that is gone.
    let done = try await runner.run(MakePatientPlugin.self, parameters: .init())
    let key = try await test.catalog.database.write { db in
      let run = try Run.fetchOne(db, key: done.runID)!
      try db.execute(sql: "DELETE FROM run_edge WHERE run_id = ?", arguments: [run.id])
      try db.execute(sql: "DELETE FROM run WHERE id = ?", arguments: [run.id])
      var dead = run
      dead.id = "run_00000000000000dd"
      dead.status = .running
      dead.pid = Int32.max - 1
      try dead.insert(db)
      return run.cacheKey
    }
    let outcome = try await runner.run(MakePatientPlugin.self, parameters: .init())
    #expect(!outcome.reused)
    let dead = try await test.catalog.database.read { db in
      try Run.fetchOne(db, key: "run_00000000000000dd")
    }
    #expect(dead?.status == .failed && dead?.cacheKey == key)
  }

  private func until(_ condition: @escaping () -> Bool) async throws {
    for _ in 0..<3000 where !condition() { try await Task.sleep(for: .milliseconds(10)) }
    try #require(condition(), "the runs never got there")
  }
}

/// A plugin that waits at a named gate while it works, so a test can start a second run while
/// the first is in the middle of its work.
struct GatedPlugin: Plugin {
  struct Parameters: PluginParameters {
    var gate = ""
    var failFirst = false
  }
  static let name = "gated"
  static let version = SemanticVersion(1, 0, 0)
  static let summary = "Test plugin: waits at a gate, then makes one patient."
  static let takes: [EntityKind] = []
  static let makes: [EntityKind] = [.patient]

  func run(_ parameters: Parameters, inputs: [EntityRef], context: PluginContext) async throws -> PluginOutput
  {
    let gate = Gate.named(parameters.gate)
    let turn = gate.enter()
    while !gate.isOpen { try await Task.sleep(for: .milliseconds(5)) }
    if parameters.failFirst, turn == 1 { throw TestFailure(message: "the first run fails") }
    return PluginOutput(summary: "made G\(turn)") { db, run in
      let (patient, _) = try Patient.findOrCreate(code: "G\(turn)", siteID: run.siteID, in: db)
      return [EntityRef(.patient, patient.id)]
    }
  }
}

final class Gate: @unchecked Sendable {
  private static let lock = NSLock()
  nonisolated(unsafe) private static var gates: [String: Gate] = [:]
  private let lock = NSLock()
  private var count = 0
  private var opened = false

  static func named(_ name: String) -> Gate {
    lock.withLock {
      if let gate = gates[name] { return gate }
      let gate = Gate()
      gates[name] = gate
      return gate
    }
  }

  var entered: Int { lock.withLock { count } }
  var isOpen: Bool { lock.withLock { opened } }
  func open() { lock.withLock { opened = true } }
  func enter() -> Int {
    lock.withLock {
      count += 1; return count
    }
  }

  func waitUntilEntered(_ n: Int) async throws {
    for _ in 0..<3000 where entered < n { try await Task.sleep(for: .milliseconds(10)) }
    try #require(entered >= n, "the plugin never started")
  }
}

/// A logger whose messages a test can read.
final class CapturedLog: @unchecked Sendable {
  private let lock = NSLock()
  private var messages: [String] = []

  var logger: Logger {
    Logger(label: "test") { _ in Handler(log: self) }
  }

  func contains(_ text: String) -> Bool { lock.withLock { messages.contains { $0.contains(text) } } }
  fileprivate func append(_ message: String) { lock.withLock { messages.append(message) } }

  private struct Handler: LogHandler {
    let log: CapturedLog
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
      get { metadata[key] }
      set { metadata[key] = newValue }
    }
    func log(event: LogEvent) { log.append(event.message.description) }
  }
}
