import Foundation
import GRDB
import Platform
import TestSupport
import Testing

/// External plugins sent to a real single-node Slurm with `pleura run NAME --executor slurm`: the
/// shipped `plugins/mmode-logistic` lands exactly as its local run does (same identity, digests,
/// bytes and edges), and a failing external job leaves no entity, its folder kept for diagnosis
/// until `pleura jobs clean`.
@Suite(
  .tags(.slow), .serialized,
  .enabled(
    if: SlurmCluster.available,
    "no single-node Slurm answers here (start it with scripts/slurm-up.sh as root)"),
  .enabled(if: Fixtures.ffmpegAvailable, "the ffmpeg CLI is needed to make test videos"),
  .enabled(if: Python.has("numpy"), "skipped: no python3 with numpy (run scripts/setup-python-tools.sh)"))
struct SlurmExternalCLITests {
  /// A catalog with the demo dataset and a split; returns the split's id.
  static func prepared(_ cli: PleuraCLI) throws -> String {
    try cli.run(["init", "--site-name", "Hospital A"])
    try cli.run([
      "synthesize", "--patients", "6", "--absent-fraction", "0.5", "--min-seconds", "2.1", "--max-seconds",
      "2.2", "--seed", "5",
    ])
    #expect(try cli.run(["transcode", "--all", "--preset", "ultrafast"]).status == 0)
    #expect(try cli.run(["dataset", "build", "demo"]).status == 0)
    return try #require(
      ((try cli.json(["split", "demo@1"]) as? [String: Any])?["outputs"] as? [[String: Any]])?.first?["id"]
        as? String)
  }

  /// What a run of the plugin made, without the ids each catalog draws for itself: the run's
  /// identity and digests, its model's and evaluation's contents, and its edges by kind.
  static func landed(in root: URL) throws -> [String] {
    try SlurmCLITests.read(root) { db in
      try String.fetchAll(
        db,
        sql: """
          SELECT 'run ' || plugin || ' ' || plugin_version || ' ' || parameters_json || ' ' || seed || ' '
            || cache_key || ' ' || plugin_manifest_sha256 || ' ' || plugin_command_sha256 || ' ' || status
            FROM run WHERE plugin = 'mmode-logistic'
          UNION ALL SELECT 'model ' || architecture || ' ' || weights_sha256 || ' ' || hyperparameters_json || ' '
            || curves_json || ' ' || chosen_epoch || ' ' || seed || ' ' || dataset_id || ' ' || split_id FROM model
          UNION ALL SELECT 'evaluation ' || part || ' ' || metrics_json || ' ' || coalesce(scores_sha256, '-')
            || ' ' || dataset_id FROM evaluation
          UNION ALL SELECT 'edge ' || e.direction || ' ' || e.role || ' ' || e.entity_kind || ' '
            || CASE WHEN e.entity_kind IN ('dataset', 'split') THEN e.entity_id ELSE '' END
            FROM run_edge e JOIN run r ON r.id = e.run_id WHERE r.plugin = 'mmode-logistic'
          """
      ).sorted()
    }
  }

  @Test func anExternalRunOnSlurmEqualsTheLocalOne() async throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    let split = try Self.prepared(cli)
    #expect(try cli.run(["plugins", "add", ExternalPluginCLITests.source.path]).status == 0)
    // Two copies of one catalog: the same dataset, split and plugin folder in each.
    let local = cli.folder.appendingPathComponent("local")
    let slurm = cli.folder.appendingPathComponent("slurm")
    try FileManager.default.copyItem(at: cli.catalog, to: local)
    try FileManager.default.copyItem(at: cli.catalog, to: slurm)
    let env = ExternalPluginCLITests.environment
    let run = ["run", "mmode-logistic", "--input", "demo@1", "--input", split, "--param", "epochs=120"]

    let here = try cli.run(run + ["--catalog", local.path], environment: env, withCatalog: false)
    #expect(here.status == 0, "\(here.stderr)")
    let submitted = try cli.run(
      run + ["--executor", "slurm", "--catalog", slurm.path], environment: env, withCatalog: false)
    #expect(submitted.status == 0, "\(submitted.stderr)")
    #expect(submitted.stdout.contains("submitted job"), "\(submitted.stdout)")
    let job = try #require(try SlurmCLITests.jobs(in: slurm).first)
    // The job asks for the manifest's resources and names the catalog's plugin folder.
    #expect(job.resourcesJson.contains("\"cpusPerTask\":1") && job.resourcesJson.contains("2048M"))
    #expect(job.pluginFolder == slurm.appendingPathComponent("plugins/mmode-logistic").path)
    try await SlurmCLITests.waitUntilGone(job.slurmTaskID)
    let collect = try cli.run(["jobs", "collect", "--catalog", slurm.path], withCatalog: false)
    #expect(collect.stdout.contains("1 landed"), "\(collect.stdout)\(collect.stderr)")

    // The same identity, digests, bytes (the plugin is deterministic) and edges.
    let localRows = try Self.landed(in: local)
    #expect(localRows.count == 7, "one run, model, evaluation and four edges: \(localRows)")
    #expect(try Self.landed(in: slurm) == localRows)
    #expect(try SlurmCLITests.jobs(in: slurm).map(\.status) == [.landed])
    // The run cache answers the same run from the landed job, as from a local run.
    let again = try #require(
      try JSONSerialization.jsonObject(
        with: Data(
          try cli.run(run + ["--catalog", slurm.path, "--json"], environment: env, withCatalog: false).stdout
            .utf8))
        as? [String: Any])
    #expect(again["reused"] as? Bool == true)
    #expect(try cli.run(["verify", "--catalog", slurm.path], withCatalog: false).status == 0)
  }

  @Test func aFailingExternalJobLeavesNoEntityAndItsFolderUntilCleaned() async throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    _ = try Self.prepared(cli)
    let source = cli.folder.appendingPathComponent("breaks")
    try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
    let manifest: [String: Any] = [
      "name": "breaks", "version": "1.0.0", "summary": "Fails on purpose.", "command": ["run.sh"],
      "inputs": [["kind": "dataset", "min": 1, "max": 1]], "outputs": ["model"],
      "resources": ["timeSeconds": 120], "deterministic": true,
    ]
    try JSONSerialization.data(withJSONObject: manifest).write(
      to: source.appendingPathComponent("plugin.json"))
    let program = source.appendingPathComponent("run.sh")
    try "#!/bin/sh\necho 'the plugin broke on purpose' >&2\nexit 3\n".write(
      to: program, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: program.path)
    #expect(try cli.run(["plugins", "add", source.path]).status == 0)
    // A built-in plugin named with --executor slurm is a usage error, with nothing written.
    let before = try CatalogSnapshot.take(cli.catalog)
    let builtin = try cli.run(["run", "split", "--input", "demo@1", "--executor", "slurm"])
    #expect(builtin.status == 2 && builtin.stderr.contains("external plugins"), "\(builtin.stderr)")
    #expect(try CatalogSnapshot.take(cli.catalog) == before)
    // So is a resource value sbatch would not take.
    let hostile = try cli.run([
      "run", "breaks", "--input", "demo@1", "--executor", "slurm", "--partition", "a b",
    ])
    #expect(hostile.status == 2 && hostile.stderr.contains("--partition"), "\(hostile.stderr)")
    #expect(try CatalogSnapshot.take(cli.catalog) == before)
    #expect(
      ((try? FileManager.default.contentsOfDirectory(atPath: cli.catalog.appendingPathComponent("jobs").path))
        ?? []).isEmpty)

    let submitted = try cli.run(["run", "breaks", "--input", "demo@1", "--executor", "slurm"])
    #expect(submitted.status == 0, "\(submitted.stderr)")
    let job = try #require(try SlurmCLITests.jobs(in: cli.catalog).first)
    try await SlurmCLITests.waitUntilGone(job.slurmTaskID)
    let collect = try cli.run(["jobs", "collect"])
    #expect(collect.status == 0, "\(collect.stderr)")
    #expect(
      collect.stdout.contains("failed \(job.id)") && collect.stdout.contains("the plugin broke on purpose"),
      "\(collect.stdout)")
    // No run, model or blob: only the job's row is new.
    #expect(try CatalogSnapshot.take(cli.catalog).filter { !$0.hasPrefix("job: ") } == before)
    // Its folder stays for diagnosis (Slurm's output, the task's copy) until cleaned.
    let folder = cli.catalog.appendingPathComponent("jobs/\(job.submission)")
    #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("task-0/exit.json").path))
    let clean = try cli.run(["jobs", "clean"])
    #expect(clean.status == 0 && clean.stdout.contains("removed jobs/\(job.submission)"), "\(clean.stdout)")
    #expect(!FileManager.default.fileExists(atPath: folder.path))
    #expect(try SlurmCLITests.jobs(in: cli.catalog).map(\.status) == [.failed])
  }
}
