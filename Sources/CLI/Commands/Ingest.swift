import ArgumentParser
import Foundation
import Media
import Platform

extension Pleura {
  struct Ingest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Probe video files and store them as source videos.",
      discussion: """
        Either FILE... with --patient and --label, or --manifest FILE.csv with the columns
        path,patient,label[,notes] (paths relative to the CSV). Each file is its own run: the good
        files go in, the bad ones are listed at the end and the exit code is 1. With
        --all-or-nothing one run takes every file, and nothing is stored if any fails.
        Known bytes are stored once.

        Example:
          pleura ingest scan1.mp4 scan2.avi --patient P001 --label present
        """)

    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "Video files to ingest.") var files: [String] = []
    @Option(help: "Patient pseudonym (letters, digits, '.', '_', '-').") var patient: String?
    @Option(help: "Lung sliding: present, absent or unknown.") var label: String?
    @Option(help: "Free-text notes (no patient identifiers).") var notes: String = ""
    @Option(help: "CSV manifest with columns path,patient,label[,notes].") var manifest: String?
    @Flag(help: "Store nothing if any file fails.") var allOrNothing = false

    func validate() throws {
      if manifest != nil {
        guard files.isEmpty, patient == nil, label == nil else {
          throw ValidationError("give either --manifest or FILE... with --patient and --label, not both")
        }
        return
      }
      guard !files.isEmpty else { throw ValidationError("give FILE... or --manifest FILE.csv") }
      let missing = [
        patient == nil ? "--patient CODE" : nil, label == nil ? "--label present|absent|unknown" : nil,
      ].compactMap { $0 }
      guard missing.isEmpty, let patient, let label else {
        throw ValidationError("FILE... needs " + missing.joined(separator: " and "))
      }
      do {
        _ = try SlidingLabel(validating: label)
        try PatientCode.validate(patient)
      } catch {
        throw ValidationError(String(describing: error))
      }
    }

    func run() async throws {
      let items: [IngestItem]
      if let manifest {
        let url = try InputFile.check(manifest, label: "--manifest")
        do {
          items = try IngestManifest.read(url)
        } catch {
          throw ValidationError(String(describing: error))
        }
      } else {
        guard let patient, let label else { throw ValidationError("FILE... needs --patient and --label") }
        items = files.map { IngestItem(path: $0, patient: patient, label: label, notes: notes) }
      }
      let catalog = try catalogOptions.open()
      let runner = catalogOptions.runner(catalog)
      let batches = allOrNothing ? [items] : items.map { [$0] }
      var outcomes: [RunOutcome] = []
      var failures: [String] = []
      for batch in batches {
        do {
          outcomes.append(
            try await runner.run(IngestPlugin.self, parameters: IngestPlugin.Parameters(files: batch)))
        } catch {
          failures.append(String(describing: error))
        }
      }
      if output.json {
        try output.printJSON(IngestReport(runs: outcomes, failures: failures))
      } else {
        for outcome in outcomes { print(outcome.summary) }
      }
      if failures.count == 1, batches.count == 1 {
        Terminal.error(failures[0])
        throw ExitCode(1)
      }
      if !failures.isEmpty {
        Terminal.error("\(failures.count) of \(batches.count) ingest run(s) failed:")
        for failure in failures { Terminal.warn("  " + failure) }
        throw ExitCode(1)
      }
    }
  }

  struct IngestReport: Encodable {
    var runs: [RunOutcome]
    var failures: [String]
  }
}
