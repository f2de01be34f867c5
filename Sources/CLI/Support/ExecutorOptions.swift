import ArgumentParser
import Foundation
import Platform

/// `--executor local|slurm` and the Slurm options that pass through to sbatch, on every command
/// whose runs may go to a cluster. Without --executor the catalog's setting decides
/// (`pleura jobs executor`), else local. The resources default to what the plugin declares.
struct ExecutorOptions: ParsableArguments {
  @Option(help: "Where the runs execute: local or slurm (default: the catalog's setting, else local).")
  var executor: String?
  @Option(help: "Slurm partition (with --executor slurm).") var partition: String?
  @Option(help: "Slurm generic resources, e.g. gpu:1 (with --executor slurm).") var gres: String?
  @Option(help: "Slurm time limit, e.g. 2:00:00 (with --executor slurm).") var time: String?
  @Option(help: "Slurm account (with --executor slurm).") var account: String?

  func validate() throws {
    if let executor, Executor(rawValue: executor) == nil {
      throw ValidationError("--executor takes local or slurm, not '\(executor)'")
    }
  }

  var overrides: JobResources {
    JobResources(partition: partition, gres: gres, time: time, account: account)
  }

  func chosen(for catalog: Catalog) async throws -> Executor {
    if let executor { return try Executor.parse(executor) }
    return try await Executor.default(of: catalog)
  }

  /// Sends one run to Slurm (or hands back the earlier identical run) and prints what happened.
  func submit<P: Plugin>(
    _ plugin: P.Type, parameters: P.Parameters, inputs: [EntityRef], catalog: Catalog, force: Bool = false,
    output: OutputOptions
  ) async throws {
    try await submit(
      JobRequest.plan(P.self, parameters: parameters, inputs: inputs, catalog: catalog, force: force),
      catalog: catalog, output: output)
  }

  /// Sends an external plugin's run to Slurm (`pleura run NAME --executor slurm`), asking for the
  /// manifest's resources unless --partition, --gres, --time or --account say otherwise.
  func submit(
    external plugin: ExternalPlugin, assignments: [String], inputs: [EntityRef], catalog: Catalog,
    force: Bool,
    output: OutputOptions
  ) async throws {
    try await submit(
      JobRequest.plan(
        external: plugin, assignments: assignments, inputs: inputs, catalog: catalog, force: force),
      catalog: catalog, output: output)
  }

  private func submit(_ plan: JobRequest.Plan, catalog: Catalog, output: OutputOptions) async throws {
    switch plan {
    case .reused(let outcome):
      if output.json { return try output.printJSON(outcome) }
      RunReport.print(outcome)
    case .submit(let request):
      let jobs = try await JobSubmitter.submit([request], overrides: overrides, catalog: catalog)
      if output.json { return try output.printJSON(jobs) }
      for job in jobs {
        print("submitted job \(job.id) (Slurm job \(job.slurmTaskID)): \(job.plugin)")
      }
      print("`pleura jobs` shows how it stands; `pleura jobs collect` lands its run when it has finished")
    }
  }
}
