import Foundation
import GRDB
import Platform
import TestSupport
import Testing

/// A coordinator killed at the worst moments of a submission, on a real single-node Slurm: right
/// after sbatch took the jobs and before their rows were written (the next collection finds them
/// at Slurm and lands their runs), and right before sbatch (the next collection marks them never
/// submitted, and they can be resubmitted). A fake `sbatch` first on the PATH does the killing.
@Suite(
  .tags(.slow), .serialized,
  .enabled(
    if: SlurmCluster.available,
    "no single-node Slurm answers here (start it with scripts/slurm-up.sh as root)"))
struct SlurmRecoveryCLITests {
  /// A folder holding an `sbatch` that runs `body` (with `$REAL` the real sbatch) and then kills
  /// its parent, the `pleura` coordinator, with SIGKILL.
  static func killingSbatch(_ body: String, in folder: URL) throws -> [String: String] {
    let bin = folder.appendingPathComponent("fake-bin")
    try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
    let real = try #require(ExternalTool.which("sbatch"))
    let script = bin.appendingPathComponent("sbatch")
    try "#!/bin/sh\nREAL='\(real)'\n\(body)\nkill -KILL $PPID\nsleep 5\n".write(
      to: script, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
    return ["PATH": bin.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")]
  }

  /// A catalog with the demo dataset and a split, and the arguments that train on it on Slurm.
  static func prepared(_ fixture: PipelineFixture, _ cli: PleuraCLI) throws -> [String] {
    let root = fixture.catalog.root.path
    #expect(
      try cli.run(["dataset", "build", "demo", "--quiet", "--catalog", root], withCatalog: false).status == 0)
    #expect(
      try cli.run(["split", "demo", "--validation", "0.2", "--quiet", "--catalog", root], withCatalog: false)
        .status == 0)
    return [
      "train", "demo", "--width", "0.03125", "--epochs", "1", "--batch", "16", "--executor", "slurm",
      "--catalog", root,
    ]
  }

  static func submissionFolders(_ root: URL) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("jobs").path)) ?? [])
      .filter { $0.hasPrefix("sub_") }
  }

  @Test func aCoordinatorKilledAfterSbatchLosesNoJob() async throws {
    let fixture = try await PipelineFixture(patients: 6, seconds: 2.1...2.2)
    defer { fixture.cleanUp() }
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    let root = fixture.catalog.root
    let train = try Self.prepared(fixture, cli)
    let environment = try Self.killingSbatch("\"$REAL\" \"$@\" || exit $?", in: cli.folder)

    let killed = try cli.run(train, environment: environment, withCatalog: false)
    #expect(killed.status != 0, "the coordinator was killed: \(killed.stdout)")
    // Slurm has the job; the catalog has no row of it, only the submission's intent.
    #expect(try SlurmCLITests.jobs(in: root).isEmpty)
    let submission = try #require(Self.submissionFolders(root).first)
    #expect(
      FileManager.default.fileExists(
        atPath: root.appendingPathComponent("jobs/\(submission)/intent.json").path))
    let listed = try cli.run(["jobs", "--catalog", root.path], withCatalog: false)
    #expect(listed.stdout.contains("submitting"), "\(listed.stdout)\(listed.stderr)")

    // The next collection records it from Slurm (by its job name) and, once it ends, lands it.
    let first = try cli.run(["jobs", "collect", "--catalog", root.path], withCatalog: false)
    #expect(first.status == 0, "\(first.stderr)")
    let job = try #require(try SlurmCLITests.jobs(in: root).first)
    #expect(first.stdout.contains("recorded \(job.id)"), "\(first.stdout)")
    #expect(!job.slurmJobId.isEmpty && job.submission == submission)
    try await SlurmCLITests.waitUntilGone(job.slurmTaskID)
    let landed = try cli.run(["jobs", "collect", "--catalog", root.path], withCatalog: false)
    #expect(landed.stdout.contains("1 landed"), "\(landed.stdout)\(landed.stderr)")
    #expect(try SlurmCLITests.models(in: root).count == 1)
    // Landed, its submission's folder is gone too.
    #expect(Self.submissionFolders(root).isEmpty)
    #expect(try cli.run(["verify", "--catalog", root.path], withCatalog: false).status == 0)
  }

  @Test func aCoordinatorKilledBeforeSbatchLeavesAJobToResubmit() async throws {
    let fixture = try await PipelineFixture(patients: 6, seconds: 2.1...2.2)
    defer { fixture.cleanUp() }
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    let root = fixture.catalog.root
    let train = try Self.prepared(fixture, cli)
    let before = try CatalogSnapshot.take(root)
    let environment = try Self.killingSbatch(":", in: cli.folder)

    let killed = try cli.run(train, environment: environment, withCatalog: false)
    #expect(killed.status != 0)
    let collect = try cli.run(["jobs", "collect", "--catalog", root.path], withCatalog: false)
    #expect(collect.status == 0, "\(collect.stderr)")
    let job = try #require(try SlurmCLITests.jobs(in: root).first)
    #expect(job.status == .failed && job.reason?.contains("never submitted") == true, "\(job)")
    #expect(collect.stdout.contains("failed \(job.id)"), "\(collect.stdout)")
    // Only the job's row is new (and its folder, kept until it is resubmitted).
    #expect(try CatalogSnapshot.take(root).filter { !$0.hasPrefix("job: ") } == before)
    #expect(Self.submissionFolders(root) == [job.submission])

    let again = try cli.run(["jobs", "resubmit", job.id, "--catalog", root.path], withCatalog: false)
    #expect(again.status == 0, "\(again.stderr)")
    #expect(!Self.submissionFolders(root).contains(job.submission), "resubmitted, its folder is gone")
    let twice = try cli.run(["jobs", "resubmit", job.id, "--catalog", root.path], withCatalog: false)
    #expect(twice.status == 1 && twice.stderr.contains("already resubmitted"), "\(twice.stderr)")
    let jobs = try SlurmCLITests.jobs(in: root)
    let resubmitted = try #require(jobs.first { $0.id != job.id })
    try await SlurmCLITests.waitUntilGone(resubmitted.slurmTaskID)
    let landed = try cli.run(["jobs", "collect", "--catalog", root.path], withCatalog: false)
    #expect(landed.stdout.contains("1 landed"), "\(landed.stdout)\(landed.stderr)")
    #expect(try SlurmCLITests.models(in: root).count == 1)
    #expect(Self.submissionFolders(root).isEmpty)
  }
}
