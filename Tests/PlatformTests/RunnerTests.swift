import Foundation
import GRDB
import TestSupport
import Testing

@testable import Platform

@Suite struct RunnerTests {
  @Test func successfulRunRecordsItselfItsOutputsAndTheirEdges() async throws {
    let test = try TestCatalog()
    defer { test.cleanUp() }
    var parameters = MakePatientPlugin.Parameters()
    parameters.code = "P42"
    let outcome = try await Runner(catalog: test.catalog).run(MakePatientPlugin.self, parameters: parameters)
    #expect(!outcome.reused)
    #expect(outcome.summary == "made P42")
    let (run, edges, patient) = try await test.catalog.database.read { db in
      (
        try Run.fetchOne(db, key: outcome.runID)!,
        try RunEdge.filter(RunEdge.Columns.runId == outcome.runID).fetchAll(db),
        try Patient.filter(Patient.Columns.code == "P42").fetchOne(db)
      )
    }
    #expect(run.status == .succeeded)
    #expect(run.plugin == "make-patient" && run.pluginVersion == "1.2.0")
    #expect(run.parametersJson == #"{"blobText":"","code":"P42","fail":false,"refuse":false}"#)
    #expect(run.platformVersion == PlatformVersion.current)
    #expect(run.endedAt != nil)
    #expect(edges.map(\.entity) == [EntityRef(.patient, patient!.id)])
    #expect(edges.first?.direction == .output)
  }

  @Test func failedRunIsMarkedFailedAndLeavesNoOutput() async throws {
    let test = try TestCatalog()
    defer { test.cleanUp() }
    var parameters = MakePatientPlugin.Parameters()
    parameters.fail = true
    await #expect(throws: RunError.self) {
      try await Runner(catalog: test.catalog).run(MakePatientPlugin.self, parameters: parameters)
    }
    let (runs, patients, edges) = try await test.catalog.database.read { db in
      (try Run.fetchAll(db), try Patient.fetchCount(db), try RunEdge.fetchCount(db))
    }
    #expect(runs.count == 1)
    #expect(runs[0].status == .failed)
    #expect(runs[0].error == "the plugin failed on purpose")
    #expect(patients == 0)
    #expect(edges == 0)
  }

  @Test func failureWhileWritingRollsBackEveryRow() async throws {
    let test = try TestCatalog()
    defer { test.cleanUp() }
    await #expect(throws: RunError.self) {
      try await Runner(catalog: test.catalog).run(FailInPersistPlugin.self, parameters: .init())
    }
    let patients = try await test.catalog.database.read { db in try Patient.fetchCount(db) }
    #expect(patients == 0)
  }

  @Test func badInputRefusedByCheckLeavesTheCatalogExactlyAsBefore() async throws {
    let test = try TestCatalog()
    defer { test.cleanUp() }
    let before = try test.snapshot()
    var parameters = MakePatientPlugin.Parameters()
    parameters.refuse = true
    await #expect(throws: TestFailure.self) {
      try await Runner(catalog: test.catalog).run(MakePatientPlugin.self, parameters: parameters)
    }
    #expect(try test.snapshot() == before)
  }

  @Test func sameVersionParametersAndInputsReuseTheEarlierRun() async throws {
    let test = try TestCatalog()
    defer { test.cleanUp() }
    let runner = Runner(catalog: test.catalog)
    let first = try await runner.run(MakePatientPlugin.self, parameters: .init())
    let second = try await runner.run(MakePatientPlugin.self, parameters: .init())
    #expect(second.reused)
    #expect(second.runID == first.runID)
    #expect(second.outputs == first.outputs)
    let forced = try await runner.run(MakePatientPlugin.self, parameters: .init(), force: true)
    #expect(!forced.reused && forced.runID != first.runID)
    var other = MakePatientPlugin.Parameters()
    other.code = "P2"
    #expect(try await !runner.run(MakePatientPlugin.self, parameters: other).reused)
  }

  @Test func inputsAreCheckedForKindAndExistence() async throws {
    let test = try TestCatalog()
    defer { test.cleanUp() }
    let runner = Runner(catalog: test.catalog)
    await #expect(throws: RunError.self) {
      try await runner.run(
        MakePatientPlugin.self, parameters: .init(), inputs: [EntityRef(.dataset, "ds_0000000000000001")])
    }
    await #expect(throws: RunError.self) {
      try await runner.run(
        MakePatientPlugin.self, parameters: .init(), inputs: [EntityRef(.patient, "pat_0000000000000001")])
    }
    let first = try await runner.run(MakePatientPlugin.self, parameters: .init())
    let withInput = try await runner.run(MakePatientPlugin.self, parameters: .init(), inputs: first.outputs)
    #expect(!withInput.reused, "different inputs make a different run")
    let lineage = try LineageNode.build(for: withInput.outputs[0], in: test.catalog)
    #expect(lineage.madeBy?.id == first.runID, "the patient already existed, so its maker is the first run")
  }

  @Test func abandonedRunsAreMarkedFailedOnOpen() throws {
    let test = try TestCatalog()
    defer { test.cleanUp() }
    try test.catalog.database.write { db in
      try Run(
        id: "run_00000000000000aa", siteId: test.catalog.localSite.id, plugin: "make-patient",
        pluginVersion: "1.2.0", parametersJson: "{}", seed: nil, cacheKey: "k", status: .running,
        startedAt: Timestamp.now(), endedAt: nil, error: nil, platformVersion: "0", pid: Int32.max - 1,
        summary: nil
      ).insert(db)
    }
    let reopened = try Catalog.open(at: test.catalog.root)
    let run = try reopened.database.read { db in try Run.fetchOne(db, key: "run_00000000000000aa") }
    #expect(run?.status == .failed)
    #expect(run?.error?.contains("interrupted") == true)
  }
}
