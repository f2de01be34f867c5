import ArgumentParser
import Foundation
import Logging
import Platform

extension Pleura {
  /// `pleura jobs`: the runs sent to Slurm, collecting them, cancelling and resubmitting.
  struct Jobs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "jobs",
      abstract: "List, collect, cancel or resubmit the runs sent to Slurm.",
      discussion: """
        Runs sent with --executor slurm are jobs: pending, running, finished (waiting to be \
        collected), landed (the run is in the catalog), failed or cancelled. `pleura jobs collect` \
        lands every finished job's run in one transaction each; cancelled, failed and timed-out \
        jobs leave no entity, and their folders stay under CATALOG/jobs/ for diagnosis until they \
        are resubmitted or `pleura jobs clean` removes them. See docs/CLUSTER.md.

        Example:
          pleura jobs collect
        """,
      subcommands: [
        ListJobs.self, Collect.self, Cancel.self, Resubmit.self, Clean.self, DefaultExecutor.self,
      ],
      defaultSubcommand: ListJobs.self)

    struct ListJobs: AsyncParsableCommand {
      static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the jobs with how each stands (Slurm's state and reason).",
        discussion: """
          Asks Slurm (squeue) about the jobs not yet collected; lands nothing.

          Example:
            pleura jobs list --json
          """)
      @OptionGroup var catalogOptions: CatalogOptions
      @OptionGroup var output: OutputOptions

      func run() async throws {
        let reports = try await JobCollector.list(catalog: try catalogOptions.openForReading())
        if output.json { return try output.printJSON(reports) }
        Terminal.table(
          ["JOB", "SLURM", "PLUGIN", "STATE", "NODE", "RUN", "DETAIL"],
          reports.map {
            [
              $0.job.id, $0.job.slurmTaskID, $0.job.plugin, $0.state, $0.job.node ?? "-", $0.job.runId ?? "-",
              $0.detail ?? "",
            ]
          })
      }
    }

    struct Collect: AsyncParsableCommand {
      static let configuration = CommandConfiguration(
        abstract: "Land the runs of finished jobs; record the jobs that ended without one.",
        discussion: """
          Safe to run at any time and as often as you like: a job lands once, and jobs still \
          pending or running are left for later. A submission whose coordinator was killed before \
          it recorded its jobs is recorded first: found at Slurm by its job name, or marked failed \
          (never submitted) so that it can be resubmitted.

          Example:
            pleura jobs collect
          """)
      @OptionGroup var catalogOptions: CatalogOptions
      @OptionGroup var output: OutputOptions

      func run() async throws {
        let collection = try await JobCollector.collect(catalog: try catalogOptions.open())
        if output.json { return try output.printJSON(collection) }
        for job in collection.recovered {
          print("recorded \(job.id) (Slurm \(job.slurmTaskID)), left unrecorded by a stopped coordinator")
        }
        for job in collection.landed {
          print("landed \(job.id) (Slurm \(job.slurmTaskID), \(job.node ?? "?")): run \(job.runId ?? "?")")
        }
        for job in collection.failed {
          print("\(job.status.rawValue) \(job.id) (Slurm \(job.slurmTaskID)): \(job.reason ?? "")")
        }
        print(
          "\(collection.landed.count) landed, \(collection.failed.count) ended without a run, "
            + "\(collection.waiting.count) still pending or running")
      }
    }

    struct Cancel: AsyncParsableCommand {
      static let configuration = CommandConfiguration(
        abstract: "Cancel a job (scancel); it leaves no entity.",
        discussion: """
          The next `pleura jobs collect` records it cancelled; it can be resubmitted.

          Example:
            pleura jobs cancel job_3f9a0c12d4e5b6a7
          """)
      @OptionGroup var catalogOptions: CatalogOptions
      @Argument(help: "A job id (see pleura jobs).") var job: String

      func run() async throws {
        let cancelled = try await JobCollector.cancel(job, catalog: try catalogOptions.open())
        print("cancelled \(cancelled.id) (Slurm \(cancelled.slurmTaskID))")
      }
    }

    struct Resubmit: AsyncParsableCommand {
      static let configuration = CommandConfiguration(
        abstract: "Submit a failed or cancelled job again.",
        discussion: """
          The same run (plugin, parameters, inputs) goes out as a new job; the old one names it.

          Example:
            pleura jobs resubmit job_3f9a0c12d4e5b6a7 --time 4:00:00
          """)
      @OptionGroup var catalogOptions: CatalogOptions
      @Argument(help: "A failed or cancelled job's id.") var job: String
      @Option(help: "Slurm partition.") var partition: String?
      @Option(help: "Slurm generic resources, e.g. gpu:1.") var gres: String?
      @Option(help: "Slurm time limit, e.g. 2:00:00.") var time: String?
      @Option(help: "Slurm account.") var account: String?

      func run() async throws {
        let again = try await JobCollector.resubmit(
          job, overrides: JobResources(partition: partition, gres: gres, time: time, account: account),
          catalog: try catalogOptions.open())
        print("resubmitted \(job) as \(again.id) (Slurm \(again.slurmTaskID))")
      }
    }

    struct Clean: AsyncParsableCommand {
      static let configuration = CommandConfiguration(
        abstract: "Remove the folders of collected jobs (landed, failed, cancelled) under CATALOG/jobs/.",
        discussion: """
          A failed or cancelled job's folder (its task's copy of the catalog, Slurm's output) is \
          kept for diagnosis until the job is resubmitted or this removes it; the job stays listed \
          and can still be resubmitted. Folders of jobs pending, running or not yet collected, and \
          of submissions not yet recorded, are never removed.

          Example:
            pleura jobs clean --dry-run
          """)
      @OptionGroup var catalogOptions: CatalogOptions
      @OptionGroup var output: OutputOptions
      @Flag(help: "Only list what would be removed.") var dryRun = false

      func run() async throws {
        let report = try await JobCleaner.clean(catalog: try catalogOptions.open(), dryRun: dryRun)
        if output.json { return try output.printJSON(report) }
        let verb = dryRun ? "would remove" : "removed"
        for folder in report.removed { print("\(verb) \(folder)") }
        print("\(verb) \(report.removed.count) folder(s), \(report.bytes) bytes")
      }
    }

    struct DefaultExecutor: AsyncParsableCommand {
      static let configuration = CommandConfiguration(
        commandName: "executor",
        abstract: "Show or set the catalog's default executor (local or slurm).",
        discussion: """
          Commands that take --executor use this when it is not given.

          Example:
            pleura jobs executor slurm
          """)
      @OptionGroup var catalogOptions: CatalogOptions
      @Argument(help: "local or slurm; without it, the current default is printed.") var executor: String?

      func validate() throws {
        if let executor, Executor(rawValue: executor) == nil {
          throw ValidationError("executor takes local or slurm, not '\(executor)'")
        }
      }

      func run() async throws {
        let catalog = try catalogOptions.open()
        if let executor { try await Executor.setDefault(try Executor.parse(executor), of: catalog) }
        print(try await Executor.default(of: catalog).rawValue)
      }
    }
  }

  /// `pleura job run SPEC --task N`: what a Slurm job runs on its node.
  struct JobCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "job",
      abstract: "What a Slurm job runs on its node (started by sbatch, not by hand).",
      discussion: """
        Example:
          pleura job run pleura-catalog/jobs/sub_3f9a0c12d4e5b6a7/submission.json --task 0
        """,
      subcommands: [JobRun.self])
  }

  struct JobRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "run",
      abstract: "Run one task of a Slurm submission on this node.",
      discussion: """
        Reads the catalog's blobs and writes only into the task's own folder, never the catalog's \
        database; the coordinator (`pleura jobs collect`) lands what it made.

        Example:
          pleura job run pleura-catalog/jobs/sub_3f9a0c12d4e5b6a7/submission.json --task 0
        """)
    @Argument(help: "The submission's submission.json.") var spec: String
    @Option(help: "The task (default: $SLURM_ARRAY_TASK_ID).") var task: Int?
    @Flag(help: "Print no progress on stderr.") var quiet = false

    func validate() throws {
      if task == nil, ProcessInfo.processInfo.environment["SLURM_ARRAY_TASK_ID"].flatMap(Int.init) == nil {
        throw ValidationError("give --task N (or run under sbatch, which sets SLURM_ARRAY_TASK_ID)")
      }
    }

    func run() async throws {
      let index = task ?? ProcessInfo.processInfo.environment["SLURM_ARRAY_TASK_ID"].flatMap(Int.init) ?? 0
      let registry = try BuiltinPlugins.registry()
      var logger = Logger(label: "pleura")
      logger.logLevel = ProcessInfo.processInfo.environment["PLEURA_DEBUG"] == nil ? .warning : .debug
      let record = try await JobWorker.run(
        spec: URL(fileURLWithPath: spec), task: index, logger: logger,
        progress: ProgressOutput.sink(quiet: quiet)
      ) { name, runner, json, inputs in
        try await registry.plugin(named: name).runWithJSON(runner, json, inputs, true)
      }
      switch record.status {
      case .succeeded: print("task \(index) succeeded: run \(record.runID ?? "?") on \(record.node)")
      case .failed:
        Terminal.error("task \(index) failed: \(record.reason ?? "")")
        throw ExitCode(1)
      }
    }
  }
}
