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

        Ultrasound DICOM (a file, or a folder: its DICOMDIR, else every DICOM file under it) is
        stored de-identified, never as the original: the header follows DICOM PS3.15's Basic
        Profile with UIDs and dates derived from the site key (--key-file), and burned-in text is
        masked outside the scanner's ultrasound regions, by a mask rule, or by --mask. With
        --mask an ordinary video is stored as a masked lossless (FFV1) re-encode.

        Example:
          pleura ingest scan1.mp4 scan2.avi --patient P001 --label present
          pleura ingest scanner-export/ --patient-from-header --label unknown --key-file site.key
        """)

    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "Video files to ingest.") var files: [String] = []
    @Option(help: "Patient pseudonym (letters, digits, '.', '_', '-').") var patient: String?
    @Option(help: "Lung sliding: present, absent or unknown.") var label: String?
    @Option(help: "Free-text notes (no patient identifiers).") var notes: String = ""
    @Option(help: "CSV manifest with columns path,patient,label[,notes].") var manifest: String?
    @Flag(help: "Store nothing if any file fails.") var allOrNothing = false
    @Option(help: "Site key for DICOM de-identification (created with mode 0600 when missing).")
    var keyFile: String?
    @Option(help: "Black out X,Y,W,H on every frame (repeatable).") var mask: [String] = []
    @Flag(help: "Store a DICOM whose burned-in text cannot be masked.") var acceptBurnedIn = false
    @Flag(help: "Patient code = keyed hash of the DICOM Patient ID.") var patientFromHeader = false

    func validate() throws {
      if manifest != nil {
        guard files.isEmpty, patient == nil, label == nil else {
          throw ValidationError("give either --manifest or FILE... with --patient and --label, not both")
        }
        return
      }
      guard !files.isEmpty else { throw ValidationError("give FILE... or --manifest FILE.csv") }
      if patientFromHeader, patient != nil {
        throw ValidationError("give either --patient CODE or --patient-from-header, not both")
      }
      let missing = [
        patient == nil && !patientFromHeader ? "--patient CODE" : nil,
        label == nil ? "--label present|absent|unknown" : nil,
      ].compactMap { $0 }
      guard missing.isEmpty, let label else {
        throw ValidationError("FILE... needs " + missing.joined(separator: " and "))
      }
      for text in mask
      where PixelRect(parsing: text).map({ $0.x < 0 || $0.y < 0 || $0.width <= 0 || $0.height <= 0 }) ?? true
      {
        throw ValidationError("--mask '\(text)' is not X,Y,W,H with X, Y at least 0 and W, H positive")
      }
      if patientFromHeader, keyFile == nil {
        throw ValidationError("--patient-from-header needs --key-file FILE")
      }
      do {
        _ = try SlidingLabel(validating: label)
        if let patient { try PatientCode.validate(patient) }
      } catch {
        throw ValidationError(String(describing: error))
      }
    }

    func run() async throws {
      var items: [IngestItem]
      if let manifest {
        let url = try InputFile.check(manifest, label: "--manifest")
        do {
          items = try IngestManifest.read(url)
        } catch {
          throw ValidationError(String(describing: error))
        }
      } else {
        guard let label else { throw ValidationError("FILE... needs --label present|absent|unknown") }
        items = files.map { IngestItem(path: $0, patient: patient ?? "", label: label, notes: notes) }
      }
      let masks = mask.compactMap { PixelRect(parsing: $0) }
      items = try IngestFolders.expand(items).map { item in
        var item = item
        if !masks.isEmpty { item.masks = masks }
        if acceptBurnedIn { item.acceptBurnedIn = true }
        if patientFromHeader { item.patientFromHeader = true }
        return item
      }
      let catalog = try catalogOptions.open()
      if let keyFile, !FileManager.default.fileExists(atPath: keyFile) {
        try SiteKey.createKeyFile(at: URL(fileURLWithPath: keyFile))
        Terminal.warn("created a new site key in \(keyFile) (mode 0600); keep it, it never leaves the site")
      }
      let runner = catalogOptions.runner(catalog)
      let batches = allOrNothing ? [items] : items.map { [$0] }
      var outcomes: [RunOutcome] = []
      var failures: [String] = []
      var done = 0
      // Files are counted when there are several; one file is its run alone.
      let progress = items.count > 1 ? runner.progress : .silent
      progress("ingest", 0, items.count, unit: "files", perItem: true)
      for batch in batches {
        do {
          outcomes.append(
            try await runner.run(
              IngestPlugin.self, parameters: IngestPlugin.Parameters(files: batch, keyFile: keyFile)))
        } catch {
          failures.append(String(describing: error))
        }
        done += batch.count
        progress("ingest", done, items.count, unit: "files", perItem: true)
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
