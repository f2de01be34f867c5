import ArgumentParser
import Foundation
import Platform

extension Pleura {
  struct Videos: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List source videos.",
      discussion: """
        The ID column is what other commands take; its first characters are enough when no other \
        id starts with them (vid_ and 4 more).

        Example:
          pleura videos --json
        """)
    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
      let rows = try Listings.videos(try catalogOptions.openForReading())
      if output.json { return try output.printJSON(rows) }
      Terminal.table(
        ["ID", "PATIENT", "LABEL", "LABEL BY", "CODEC", "SIZE", "FPS", "FRAMES", "SECONDS", "ROI", "FILE"],
        rows.map {
          [
            $0.id, $0.patient, $0.label, "\($0.labelAuthor) v\($0.labelVersion)", $0.codec,
            "\($0.width)x\($0.height)", $0.fps, "\($0.frames)",
            String(format: "%.2f", $0.durationSeconds), $0.roiDescription, $0.fileName,
          ]
        })
    }
  }

  struct Patients: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List patients (pseudonyms) and their videos.",
      discussion: """
        Example:
          pleura patients
        """)
    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
      let rows = try Listings.patients(try catalogOptions.openForReading())
      if output.json { return try output.printJSON(rows) }
      Terminal.table(
        ["ID", "CODE", "SITE", "VIDEOS"], rows.map { [$0.id, $0.code, $0.site, "\($0.videos)"] })
    }
  }

  struct Runs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List plugin runs, newest first.",
      discussion: """
        Every change to the catalog is a run: its plugin, version, status and result. \
        `pleura show RUN` gives its parameters, `pleura rerun RUN` repeats it.

        Example:
          pleura runs --limit 10
        """)
    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var output: OutputOptions
    @Option(help: "Show at most this many runs.") var limit: Int?

    func validate() throws {
      if let limit, limit < 0 { throw ValidationError("--limit \(limit): must be 0 or more") }
    }

    func run() async throws {
      let runs = try Listings.runs(try catalogOptions.openForReading(), limit: limit)
      if output.json { return try output.printJSON(runs) }
      Terminal.table(
        ["ID", "PLUGIN", "VERSION", "STATUS", "STARTED", "RESULT"],
        runs.map { run in
          let result = run.error ?? run.summary?.split(separator: "\n").first.map(String.init) ?? ""
          return [run.id, run.plugin, run.pluginVersion, run.status.rawValue, run.startedAt, result]
        })
    }
  }
}
