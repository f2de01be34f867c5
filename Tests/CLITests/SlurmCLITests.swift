import Foundation
import GRDB
import Platform
import TestSupport
import Testing

/// Runs sent to a real single-node Slurm (scripts/slurm-up.sh; `make test` starts it). Each test
/// drives the real `pleura` binary on a catalog made by the pipeline fixture; the tiny grid
/// (width 1/32, one epoch, the demo recipe) keeps each training to seconds.
@Suite(
  .tags(.slow), .serialized,
  .enabled(
    if: SlurmCluster.available,
    "no single-node Slurm answers here (start it with scripts/slurm-up.sh as root)"))
struct SlurmCLITests {
  /// A tiny two-row grid: two architectures on the demo recipe.
  static let grid = """
    {"name": "tiny", "rows": [{"architecture": "resnet3d-18", "dataset": "demo"},
      {"architecture": "resnet3d-34", "dataset": "demo"}],
     "split": {"validation": 0.2},
     "width": 0.03125, "epochs": 1, "batchSize": 16, "seed": 42, "threads": 2, "bootstrap": 20}
    """

  @Test func twoRowExperimentOnSlurmEqualsTheLocalOne() async throws {
    let fixture = try await PipelineFixture(patients: 6, seconds: 2.1...2.2)
    defer { fixture.cleanUp() }
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    let (local, slurm) = try fixture.localAndSlurmCopies(in: cli.folder)
    let gridFile = cli.folder.appendingPathComponent("grid.json")
    try Data(Self.grid.utf8).write(to: gridFile)

    let here = try cli.run(
      [
        "experiment", gridFile.path, "-o", cli.folder.appendingPathComponent("out-local").path, "--json",
        "--catalog", local.path,
      ], withCatalog: false)
    #expect(here.status == 0, "\(here.stderr)")
    let there = try cli.run(
      [
        "experiment", gridFile.path, "-o", cli.folder.appendingPathComponent("out-slurm").path, "--json",
        "--executor", "slurm", "--catalog", slurm.path,
      ], withCatalog: false)
    #expect(there.status == 0, "\(there.stderr)")

    let localModels = try Self.models(in: local)
    let slurmModels = try Self.models(in: slurm)
    #expect(localModels.count == 2)
    // Bit-identical weights (the same blob hashes) and the same metrics.
    #expect(localModels.map(\.weights) == slurmModels.map(\.weights))
    #expect(try Self.scores(in: local) == Self.scores(in: slurm))
    // Each Slurm run records its job, and landed with its provenance edges.
    let jobs = try Self.jobs(in: slurm)
    #expect(jobs.count == 4)
    #expect(jobs.allSatisfy { $0.status == .landed && $0.runId != nil && $0.node != nil })
    let summaries = try Self.read(slurm) { db in
      try String.fetchAll(db, sql: "SELECT summary FROM run WHERE plugin = 'train'")
    }
    #expect(summaries.allSatisfy { $0.contains("ran on Slurm: job ") })
    // Nothing is left in the jobs' staging area but the submissions' own files.
    let taskFolders = try FileManager.default.subpathsOfDirectory(
      atPath: slurm.appendingPathComponent("jobs").path
    )
    .filter { $0.hasSuffix("catalog.sqlite") }
    #expect(taskFolders.isEmpty)
    // The catalog verifies.
    let verify = try cli.run(["verify", "--catalog", slurm.path], withCatalog: false)
    #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
  }

  @Test func aCancelledJobLeavesNoEntityAndCanBeResubmitted() async throws {
    let fixture = try await PipelineFixture(patients: 6, seconds: 2.1...2.2)
    let root = fixture.catalog.root.path
    defer { fixture.cleanUp() }
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    #expect(
      try cli.run(["dataset", "build", "demo", "--quiet", "--catalog", root], withCatalog: false).status == 0)
    #expect(
      try cli.run(["split", "demo", "--validation", "0.2", "--quiet", "--catalog", root], withCatalog: false)
        .status
        == 0)
    let before = try CatalogSnapshot.take(fixture.catalog.root)
    // The pause keeps the job running (after its work, before its commit into its own copy).
    let submitted = try cli.run(
      [
        "train", "demo", "--width", "0.03125", "--epochs", "1", "--batch", "16", "--executor",
        "slurm",
        "--catalog", root,
      ], environment: ["PLEURA_DEBUG_PAUSE_BEFORE_COMMIT": "600"], withCatalog: false)
    #expect(submitted.status == 0, "\(submitted.stderr)")
    let job = try #require(try Self.jobs(in: fixture.catalog.root).first)
    try await Self.waitUntil(job.slurmTaskID, is: "RUNNING")
    let cancel = try cli.run(["jobs", "cancel", job.id, "--catalog", root], withCatalog: false)
    #expect(cancel.status == 0, "\(cancel.stderr)")
    try await Self.waitUntilGone(job.slurmTaskID)
    let collect = try cli.run(["jobs", "collect", "--catalog", root], withCatalog: false)
    #expect(collect.status == 0, "\(collect.stderr)")
    #expect(collect.stdout.contains("cancelled \(job.id)"), "\(collect.stdout)")

    let after = try CatalogSnapshot.take(fixture.catalog.root)
    // No model, run or blob row and no blob file: only the job's own row is new.
    #expect(after.filter { !$0.hasPrefix("job: ") } == before)
    #expect(try Self.jobs(in: fixture.catalog.root).map(\.status) == [.cancelled])

    let again = try cli.run(["jobs", "resubmit", job.id, "--catalog", root], withCatalog: false)
    #expect(again.status == 0, "\(again.stderr)")
    let jobs = try Self.jobs(in: fixture.catalog.root)
    #expect(jobs.count == 2)
    #expect(jobs.first { $0.id == job.id }?.resubmittedAs != nil)
    // The resubmitted job runs without the pause and lands.
    try await Self.waitUntilGone(try #require(jobs.first { $0.id != job.id }).slurmTaskID)
    let landed = try cli.run(["jobs", "collect", "--catalog", root], withCatalog: false)
    #expect(landed.stdout.contains("1 landed"), "\(landed.stdout)\(landed.stderr)")
    #expect(try Self.models(in: fixture.catalog.root).count == 1)
  }

  @Test func aKilledCoordinatorLosesNothing() async throws {
    let fixture = try await PipelineFixture(patients: 6, seconds: 2.1...2.2)
    defer { fixture.cleanUp() }
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    let root = fixture.catalog.root
    let gridFile = cli.folder.appendingPathComponent("grid.json")
    try Data(Self.grid.utf8).write(to: gridFile)
    let coordinator = try cli.start(
      [
        "experiment", gridFile.path, "-o", cli.folder.appendingPathComponent("out").path, "--executor",
        "slurm",
        "--catalog", root.path,
      ],
      // The jobs (Slurm passes them this environment) hold 20 s before committing into their own
      // copies, so none can finish and be landed by the coordinator before it is killed, however
      // loaded the machine (a fast job was once landed first under load).
      environment: ["PLEURA_DEBUG_PAUSE_BEFORE_COMMIT": "20"], withCatalog: false)
    // Killed as soon as its training array is submitted.
    var submitted: [Job] = []
    for _ in 0..<600 where submitted.isEmpty {
      try await Task.sleep(for: .milliseconds(200))
      submitted = (try? Self.jobs(in: root)) ?? []
    }
    kill(coordinator.process.processIdentifier, SIGKILL)
    _ = coordinator.finish()
    #expect(submitted.count == 2)
    #expect(try Self.models(in: root).isEmpty)
    for job in submitted { try await Self.waitUntilGone(job.slurmTaskID) }
    let collect = try cli.run(["jobs", "collect", "--catalog", root.path], withCatalog: false)
    #expect(collect.status == 0, "\(collect.stderr)")
    #expect(collect.stdout.contains("2 landed"), "\(collect.stdout)")
    #expect(try Self.models(in: root).count == 2)
    // Running the experiment again reuses both trainings and only evaluates.
    let rerun = try cli.run(
      [
        "experiment", gridFile.path, "-o", cli.folder.appendingPathComponent("out").path, "--executor",
        "slurm",
        "--catalog", root.path,
      ], withCatalog: false)
    #expect(rerun.status == 0, "\(rerun.stderr)")
    #expect(try Self.models(in: root).count == 2)
    #expect(try Self.jobs(in: root).filter { $0.plugin == "train" }.count == 2)
  }

  // MARK: - Helpers

  static func read<T>(_ root: URL, _ body: (Database) throws -> T) throws -> T {
    let queue = try DatabaseQueue(path: root.appendingPathComponent("catalog.sqlite").path)
    defer { try? queue.close() }
    return try queue.read(body)
  }

  static func models(in root: URL) throws -> [(architecture: String, weights: String)] {
    try read(root) { db in
      try Row.fetchAll(db, sql: "SELECT architecture, weights_sha256 FROM model ORDER BY architecture").map {
        ($0["architecture"], $0["weights_sha256"])
      }
    }
  }

  /// Each evaluation's metrics, by its model's architecture. (The scores files name cubes, whose
  /// ids each catalog's own dataset build drew.)
  static func scores(in root: URL) throws -> [String] {
    try read(root) { db in
      try String.fetchAll(
        db,
        sql: """
          SELECT m.architecture || ' ' || e.metrics_json FROM evaluation e JOIN model m ON m.id = e.model_id
          ORDER BY m.architecture
          """)
    }
  }

  static func jobs(in root: URL) throws -> [Job] {
    try read(root) { db in try Job.order(Column("submitted_at"), Column("task")).fetchAll(db) }
  }

  /// Waits (up to ten minutes) until Slurm shows the task in `state`.
  static func waitUntil(_ task: String, is state: String) async throws {
    for _ in 0..<3000 {
      if SlurmCluster.state(of: task) == state { return }
      try await Task.sleep(for: .milliseconds(200))
    }
    throw FixtureError("Slurm task \(task) never reached \(state)")
  }

  /// Waits (up to ten minutes) until the task is no longer pending or running.
  static func waitUntilGone(_ task: String) async throws {
    let active: Set<String> = ["PENDING", "CONFIGURING", "RUNNING", "COMPLETING"]
    for _ in 0..<3000 {
      if !active.contains(SlurmCluster.state(of: task) ?? "") { return }
      try await Task.sleep(for: .milliseconds(200))
    }
    throw FixtureError("Slurm task \(task) is still running after ten minutes")
  }
}

/// The single-node Slurm of scripts/slurm-up.sh, as the tests see it.
enum SlurmCluster {
  /// Whether `sinfo` answers with a usable node.
  static let available: Bool = {
    guard let states = try? ExternalTool.check("sinfo", ["-h", "-o", "%T"]) else { return false }
    return states.split(separator: "\n").contains { ["idle", "mixed", "allocated"].contains(String($0)) }
  }()

  /// Slurm's state of one array task (`JOBID_TASK`), or nil once it has forgotten it.
  static func state(of task: String) -> String? {
    guard let line = try? ExternalTool.check("squeue", ["-h", "-r", "-t", "all", "-j", task, "-o", "%T"])
    else {
      return nil
    }
    let state = line.trimmingCharacters(in: .whitespacesAndNewlines)
    return state.isEmpty ? nil : state
  }
}
