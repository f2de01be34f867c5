import ArgumentParser
import Foundation
import Platform
import Primitives
import Sharing

extension Pleura {
  struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Export a dataset version as a verified BagIt bundle (.tar.zst, or .tar.gz with --gzip).",
      discussion: """
        By default: the dataset, its cubes and shards, its splits, ROI versions and the whole
        provenance chain as records. Original videos (without container metadata), conversions,
        and the models trained on the dataset with their evaluations only when asked.
        --pseudonymize replaces every patient code with an HMAC-SHA-256 under the site key in
        --key-file (created with mode 0600 when missing; it never leaves the site).

        Example:
          pleura export all_30x30@1 -o all_30x30.tar.zst --with-models
        """)
    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "A dataset: NAME@V, NAME (the newest), SITE/NAME@V or its id.") var dataset: String
    @Option(name: [.customShort("o"), .customLong("output")], help: "Bundle file to write.") var file: String
    @Flag(help: "Include the original videos.") var withSources = false
    @Flag(help: "Include the conversions.") var withConversions = false
    @Flag(help: "Include the models trained on this dataset and their evaluations.") var withModels = false
    @Flag(help: "Replace patient codes with keyed hashes.") var pseudonymize = false
    @Option(help: "Site key for --pseudonymize.") var keyFile: String?
    @Flag(help: "Write .tar.gz instead of .tar.zst.") var gzip = false

    func validate() throws {
      if pseudonymize, keyFile == nil { throw ValidationError("--pseudonymize needs --key-file FILE") }
      if !pseudonymize, keyFile != nil { throw ValidationError("--key-file goes with --pseudonymize") }
    }

    func run() async throws {
      let bundle = try OutputPath.file(file)
      var options = BundleExporter.Options()
      options.withSources = withSources
      options.withConversions = withConversions
      options.withModels = withModels
      options.gzip = gzip
      if pseudonymize, let keyFile {
        let url = URL(fileURLWithPath: keyFile)
        if FileKind.of(keyFile) != .missing { try InputFile.check(keyFile, label: "--key-file") }
        if !FileManager.default.fileExists(atPath: url.path) {
          try Pseudonymizer.createKeyFile(at: url)
          Terminal.warn("created a new site key in \(keyFile) (mode 0600); keep it, it never leaves the site")
        }
        options.pseudonymizer = try Pseudonymizer(keyFile: url)
      }
      var exporter = BundleExporter(catalog: try catalogOptions.open())
      exporter.progress = catalogOptions.progress
      let summary = try exporter.export(dataset, to: bundle.url, options: options)
      if output.json { return try output.printJSON(summary) }
      print(
        "exported \(summary.dataset) to \(summary.file) (\(summary.archiveBytes) bytes; payload \(summary.payloadBytes) bytes)"
      )
      print(
        "rows: "
          + summary.rows.sorted { $0.key < $1.key }.map { "\($0.key.dropLast(5)) \($0.value)" }.joined(
            separator: ", "))
      print(
        "blobs: \(summary.blobsIncluded)"
          + (summary.pseudonymized ? "; pseudonymized (codes, authors, site, file names; notes dropped)" : "")
      )
    }
  }

  struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Import a bundle: everything is verified before anything is written.",
      discussion: """
        Imported entities keep their ids and their site: the bundle's dataset is listed as \
        SITE/NAME@V. Importing the same bundle again changes nothing.

        Example:
          pleura import all_30x30.tar.zst
        """)
    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "Bundle file.") var file: String

    func run() async throws {
      let bundle = try InputFile.check(file)
      var importer = BundleImporter(catalog: try catalogOptions.open())
      importer.progress = catalogOptions.progress
      let outcome = try importer.importBundle(bundle)
      if output.json { return try output.printJSON(outcome) }
      if outcome.alreadyImported {
        print(
          "\(outcome.site.escapedForMessage)/\(outcome.dataset.escapedForMessage) is already imported from this bundle; nothing changed"
        )
      } else {
        func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
        let models =
          outcome.models + outcome.evaluations == 0
          ? "" : " (\(count(outcome.models, "model")), \(count(outcome.evaluations, "evaluation")))"
        print(
          "imported \(outcome.site.escapedForMessage)/\(outcome.dataset.escapedForMessage): \(outcome.rows) rows\(models), \(outcome.blobsAdded) new blobs (run \(outcome.runID ?? "?"))"
        )
      }
    }
  }

  struct BundleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "bundle", abstract: "Check or list a bundle without importing it.",
      discussion: """
        Example:
          pleura bundle verify all_30x30.tar.zst
        """,
      subcommands: [Verify.self, Show.self])

    struct Verify: AsyncParsableCommand {
      static let configuration = CommandConfiguration(
        abstract: "Verify a bundle's structure, checksums and rows.",
        discussion: """
          The checks `pleura import` makes, without writing anything.

          Example:
            pleura bundle verify all_30x30.tar.zst
          """)
      @OptionGroup var catalogOptions: CatalogOptions
      @Argument(help: "Bundle file.") var file: String

      func run() async throws {
        let bundle = try InputFile.check(file)
        let (content, info) = try BundleImporter(catalog: try catalogOptions.openForReading()).verify(bundle)
        print(
          "ok: \(file) is a valid bundle of \(content.datasets[0].reference.escapedForMessage) from \((info["Source-Organization"] ?? "?").escapedForMessage)"
        )
      }
    }

    struct Show: AsyncParsableCommand {
      static let configuration = CommandConfiguration(
        abstract: "List a verified bundle's contents.",
        discussion: """
          bag-info.txt, the number of entities of each kind, and the models with their evaluations.

          Example:
            pleura bundle show all_30x30.tar.zst
          """)
      @OptionGroup var catalogOptions: CatalogOptions
      @OptionGroup var output: OutputOptions
      @Argument(help: "Bundle file.") var file: String

      func run() async throws {
        let bundle = try InputFile.check(file)
        let (content, info) = try BundleImporter(catalog: try catalogOptions.openForReading()).verify(bundle)
        // (JSON key, words for people, count)
        let counts: [(String, String, Int)] = [
          ("sites", "sites", content.sites.count), ("patients", "patients", content.patients.count),
          ("sourceVideos", "source videos", content.sourceVideos.count),
          ("conversions", "conversions", content.conversions.count),
          ("roiVersions", "ROI versions", content.roiAnnotations.count),
          ("cubes", "cubes", content.cubes.count), ("splits", "splits", content.splits.count),
          ("models", "models", content.models.count),
          ("evaluations", "evaluations", content.evaluations.count),
          ("runs", "runs", content.runs.count),
          ("blobsIncluded", "blobs included", content.blobs.filter(\.stored).count),
          ("blobsByHashOnly", "blobs by hash only", content.blobs.filter { !$0.stored }.count),
        ]
        if output.json {
          struct Listing: Encodable {
            /// bag-info.txt as written: its labels are BagIt's (`Payload-Oxum`), kept as they are.
            var info: [String: String]
            var counts: [String: Int]
          }
          return try output.printJSON(
            Listing(
              info: Dictionary(info.fields.map { ($0.label, $0.value) }, uniquingKeysWith: { a, _ in a }),
              counts: Dictionary(uniqueKeysWithValues: counts.map { ($0.0, $0.2) })))
        }
        // Everything shown from the bundle is escaped: it comes from another site.
        for field in info.fields {
          print("\(field.label.escapedForMessage): \(field.value.escapedForMessage)")
        }
        print("dataset: \(content.datasets[0].reference.escapedForMessage) (\(content.datasets[0].id))")
        for (_, name, count) in counts { print("  \(name): \(count)") }
        for model in content.models {
          let evaluations = content.evaluations.filter { $0.modelId == model.id }
          print(
            "model \(model.id): \(model.architecture.escapedForMessage), split \(model.splitId), epoch \(model.chosenEpoch) kept"
              + (evaluations.isEmpty
                ? ""
                : "; evaluated on "
                  + evaluations.map { "\($0.part.rawValue) (\($0.id))" }.joined(separator: ", ")))
        }
      }
    }
  }
}
