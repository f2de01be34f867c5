import Foundation
import GRDB
import TestSupport
import Testing

@testable import Platform

/// The bookkeeping around jobs that needs no Slurm: an external plugin's resources as sbatch
/// options, the node's refusal of a plugin whose files changed, a coordinator's intent, and
/// which job folders a clean may remove. (SlurmCLITests runs real jobs.)
@Suite struct JobLifecycleTests {
  @Test func aManifestsResourcesBecomeTheJobsDefaults() throws {
    let resources = PluginManifest.Resources(cpus: 4, memoryMB: 2048, gpus: 1, timeSeconds: 93_784)
      .jobResources
    #expect(resources == JobResources(gres: "gpu:1", time: "1-02:03:04", cpusPerTask: 4, memory: "2048M"))
    #expect(
      try resources.sbatchLines() == [
        "#SBATCH --gres=gpu:1", "#SBATCH --time=1-02:03:04", "#SBATCH --cpus-per-task=4",
        "#SBATCH --mem=2048M",
      ])
    // No GPU asks for no gres; the command's options still win.
    let cpuOnly = PluginManifest.Resources(cpus: 1, memoryMB: 512, gpus: 0, timeSeconds: 1800).jobResources
    #expect(cpuOnly.gres == nil && cpuOnly.time == "0-00:30:00")
    #expect(cpuOnly.overridden(by: JobResources(gres: "gpu:2")).gres == "gpu:2")
  }

  @Test func aNodeRefusesAPluginWhoseFilesAreNotTheSubmittedOnes() throws {
    let test = try TestCatalog()
    defer { test.cleanUp() }
    let plugin = try ExternalRunFailureTests.plugin("exit 0", in: test.folder)
    let submitted = ExternalJobPlugin(plugin)
    #expect(try submitted.load(name: "failing").commandSHA256 == plugin.commandSHA256)
    // Another name, or a program edited after submission, is refused with the folder named.
    #expect(throws: JobError.self) { try submitted.load(name: "other") }
    let program = plugin.folder.appendingPathComponent("run.sh")
    try "#!/bin/sh\nexit 1\n".write(to: program, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: program.path)
    do {
      _ = try submitted.load(name: "failing")
      Issue.record("an edited program was loaded")
    } catch let error as JobError {
      #expect(error.description.contains(plugin.folder.path) && error.description.contains("SHA-256"))
    }
    var missing = submitted
    missing.folder = test.file("gone").path
    #expect(throws: JobError.self) { try missing.load(name: "failing") }
  }

  @Test func anIntentTellsALiveCoordinatorFromADeadOne() throws {
    let live = JobIntent(jobs: [])
    #expect(live.coordinatorMayBeAlive)
    // A process that has ended.
    let ended = Process()
    ended.executableURL = URL(fileURLWithPath: "/bin/true")
    try ended.run()
    ended.waitUntilExit()
    var dead = live
    dead.pid = ended.processIdentifier
    #expect(!dead.coordinatorMayBeAlive)
    // This pid, but another process's start time: the pid was reused.
    var reused = live
    reused.processStart = "1"
    #expect(!reused.coordinatorMayBeAlive)
    // Another machine's coordinator is given time, then taken over.
    var elsewhere = live
    elsewhere.host = "another-node"
    #expect(elsewhere.coordinatorMayBeAlive)
    elsewhere.writtenAt = Timestamp.format(Date().addingTimeInterval(-7200))
    #expect(!elsewhere.coordinatorMayBeAlive)
  }

  /// A job row of `submission`, task `task`.
  static func job(_ submission: String, _ task: Int, _ status: Job.Status, resubmittedAs: String? = nil)
    -> Job
  {
    Job(
      id: Job.newID(), submission: submission, task: task, slurmJobId: "7", plugin: "train",
      parametersJson: "{}", inputsJson: "[]", cacheKey: "k", resourcesJson: "{}", status: status,
      submittedAt: Timestamp.now(), finishedAt: nil, runId: nil, node: nil, slurmState: nil, reason: nil,
      resubmittedAs: resubmittedAs)
  }

  /// A submission folder with one task folder per task.
  static func folder(_ submission: String, tasks: Int, in test: TestCatalog) throws -> URL {
    let folder = test.catalog.root.appendingPathComponent("jobs/\(submission)")
    for task in 0..<tasks {
      let taskFolder = JobSubmissionSpec.taskFolder(task, in: folder)
      try FileManager.default.createDirectory(at: taskFolder, withIntermediateDirectories: true)
      try Data("copy".utf8).write(to: taskFolder.appendingPathComponent("catalog.sqlite"))
    }
    try Data("{}".utf8).write(to: folder.appendingPathComponent("submission.json"))
    return folder
  }

  static func exists(_ url: URL) -> Bool { FileManager.default.fileExists(atPath: url.path) }

  @Test func cleanRemovesOnlyTheFoldersOfCollectedJobs() async throws {
    let test = try TestCatalog()
    defer { test.cleanUp() }
    // sub_done: every job collected (one landed, one failed). sub_mixed: one failed, one still
    // submitted. sub_open: submitted only. sub_unrecorded: an intent, no rows. sub_new: no rows
    // and no intent yet (being prepared).
    let done = try Self.folder("sub_done", tasks: 2, in: test)
    let mixed = try Self.folder("sub_mixed", tasks: 2, in: test)
    let open = try Self.folder("sub_open", tasks: 1, in: test)
    let unrecorded = try Self.folder("sub_unrecorded", tasks: 1, in: test)
    let new = try Self.folder("sub_new", tasks: 1, in: test)
    try JobIntent(jobs: [Self.job("sub_unrecorded", 0, .submitted)]).write(into: unrecorded)
    let rows = [
      Self.job("sub_done", 0, .landed), Self.job("sub_done", 1, .failed),
      Self.job("sub_mixed", 0, .cancelled), Self.job("sub_mixed", 1, .submitted),
      Self.job("sub_open", 0, .submitted),
    ]
    try await test.catalog.database.write { db in for row in rows { try row.insert(db) } }

    let jobsFolder = test.catalog.root.appendingPathComponent("jobs")
    let before = try FileManager.default.subpathsOfDirectory(atPath: jobsFolder.path).sorted()
    let dry = try await JobCleaner.clean(catalog: test.catalog, dryRun: true)
    #expect(dry.removed.sorted() == ["jobs/sub_done", "jobs/sub_mixed/task-0"])
    #expect(dry.bytes == 3 * 4 + 2, "two copies and a spec")
    #expect(
      try FileManager.default.subpathsOfDirectory(atPath: jobsFolder.path).sorted() == before,
      "a dry run removes nothing")

    let report = try await JobCleaner.clean(catalog: test.catalog)
    #expect(report == dry)
    #expect(!Self.exists(done))
    #expect(!Self.exists(JobSubmissionSpec.taskFolder(0, in: mixed)))
    #expect(Self.exists(JobSubmissionSpec.taskFolder(1, in: mixed)))
    #expect(Self.exists(JobSubmissionSpec.taskFolder(0, in: open)))
    #expect(Self.exists(JobSubmissionSpec.taskFolder(0, in: unrecorded)))
    #expect(Self.exists(JobSubmissionSpec.taskFolder(0, in: new)))
    // The jobs stay listed: only folders go.
    #expect(try await test.count("job") == 5)
    #expect(try await JobCleaner.clean(catalog: test.catalog).removed.isEmpty)
  }

  @Test func aResubmittedJobsFolderGoesAndItsSubmissionsOnceAllAreDone() async throws {
    let test = try TestCatalog()
    defer { test.cleanUp() }
    let folder = try Self.folder("sub_two", tasks: 2, in: test)
    let landed = Self.job("sub_two", 0, .landed)
    var failed = Self.job("sub_two", 1, .failed)
    let original = failed
    try await test.catalog.database.write { db in
      try landed.insert(db)
      try original.insert(db)
    }
    // Failed and not resubmitted: kept for diagnosis.
    try await JobCleaner.tidy(submission: "sub_two", catalog: test.catalog)
    #expect(Self.exists(JobSubmissionSpec.taskFolder(1, in: folder)))
    // Resubmitted: its folder goes, and the submission's with it, since the other landed.
    let again = Self.job("sub_three", 0, .submitted)
    failed.resubmittedAs = again.id
    let resubmitted = failed
    try await test.catalog.database.write { db in
      try again.insert(db)
      try resubmitted.update(db)
    }
    try await JobCleaner.tidy(submission: "sub_two", resubmittedTask: 1, catalog: test.catalog)
    #expect(!Self.exists(folder))
  }
}
