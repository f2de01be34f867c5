import ArgumentParser
import Platform

extension Pleura {
  struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Counts per entity kind, per label and per patient.",
      discussion: """
        What the catalog holds, and how many of its runs succeeded, failed or are running.

        Example:
          pleura status --json
        """)

    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
      let status = try CatalogStatus.read(try catalogOptions.openForReading())
      if output.json { return try output.printJSON(status) }
      print("catalog \(status.catalog) (site \(status.site), schema \(status.schemaVersion))")
      print("entities:")
      for kind in EntityKind.allCases where kind != .site || status.entities[kind.rawValue, default: 0] > 1 {
        print("  \(kind.displayName): \(status.entities[kind.rawValue, default: 0])")
      }
      print(
        "source videos per label: "
          + SlidingLabel.allCases.map { "\($0.rawValue) \(status.videosPerLabel[$0.rawValue, default: 0])" }
          .joined(separator: ", "))
      if !status.videosPerPatient.isEmpty {
        print("videos per patient:")
        for entry in status.videosPerPatient { print("  \(entry.patient) [\(entry.site)]: \(entry.videos)") }
      }
      let runs = status.runsPerStatus.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
      print("runs: " + (runs.isEmpty ? "none" : runs.joined(separator: ", ")))
    }
  }
}
