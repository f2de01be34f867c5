import ArgumentParser
import Foundation
import Platform
import Training

extension Pleura {
  struct Rerun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Re-execute a run from its provenance record and report whether the outputs are identical.",
      discussion: """
        The run's plugin must still be at the recorded version. Its recorded parameters and input \
        entities are used as they are; the new run bypasses the run cache and makes new entities. \
        Outputs are compared by content: every column except ids, times and versions (blobs by \
        SHA-256). Exit code 1 when they differ.

        Example:
          pleura rerun run_2b467392
        """)
    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "Run id.") var run: String

    func run() async throws {
      let catalog = try catalogOptions.open()
      let comparison: RunReplay.Comparison
      do {
        comparison = try await RunReplay.rerun(
          run, registry: try AllPlugins.registry(catalog: catalogOptions.location),
          runner: catalogOptions.runner(catalog))
      } catch let error as RunReplay.ReplayError {
        throw ValidationError(error.description)
      }
      if output.json {
        try output.printJSON(comparison)
      } else {
        print("\(comparison.plugin): run \(comparison.run) re-executed as \(comparison.rerun)")
        Terminal.table(
          ["ORIGINAL", "RERUN", "IDENTICAL", "DIFFERENCES"],
          comparison.pairs.map {
            [$0.original, $0.rerun, $0.identical ? "yes" : "no", $0.differences.joined(separator: ", ")]
          })
        print(comparison.identical ? "outputs are identical" : "outputs differ")
      }
      if !comparison.identical { throw ExitCode(1) }
    }
  }
}
