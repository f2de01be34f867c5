import ArgumentParser
import Foundation
import Media
import Platform

extension BenchCommand {
  /// `pleura bench verify`: the catalog's blobs read with and without the hash check.
  struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "verify",
      abstract: "Time reading the catalog's blobs with and without checking them against their hash.",
      discussion: """
        Decodes every source and conversion and reads every shard, alternating unverified and verified
        passes, and prints the medians with the share of the hash pass alone.

        Example:
          pleura bench verify --catalog demo-output/catalog --repetitions 7
        """)

    @OptionGroup var catalogOptions: CatalogOptions
    @Option(help: "Alternating repetitions of each pass.") var repetitions = 5
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
      guard repetitions >= 1 else { throw ValidationError("--repetitions must be at least 1") }
    }

    func run() async throws {
      let rows = try BlobReadBenchmark.run(catalog: try catalogOptions.open(), repetitions: repetitions)
      if json { return print(try CanonicalJSON.pretty(rows)) }
      for row in rows {
        print(
          String(
            format:
              "%@ (%d, %.1f MB), %@: unverified %.3f s, verified %.3f s (%.3fx); the hash pass alone %.3f s "
              + "(%.1f %% of the unverified work); medians of %d",
            row.kind, row.blobs, Double(row.bytes) / 1_048_576, row.work, row.medianUnverified,
            row.medianVerified, row.ratio, row.medianHash, row.hashShare * 100, repetitions))
      }
    }
  }
}
