import ArgumentParser
import Curation
import Foundation
import Media
import Platform

extension Pleura {
  struct Label: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "label",
      abstract: "Lung-sliding labels: `pleura label VIDEO present|absent|unknown`, or their history.",
      discussion: """
        A label is versioned like an ROI: version 1 is the label given at ingest, and every change adds
        a version with its author and time; nothing is overwritten. The current label (used by dataset
        builds, listings and bundles) is the latest adjudicated version if there is one, else the latest.

        Example:
          pleura label vid_3f9a0c12 absent --author alice
        """,
      subcommands: [SetLabel.self, History.self], defaultSubcommand: SetLabel.self)

    struct SetLabel: AsyncParsableCommand {
      static let configuration = CommandConfiguration(
        commandName: "set", abstract: "Set a video's label: adds a version that supersedes the previous one.",
        discussion: """
          Re-ingesting a file never changes its label; this is how a label is changed deliberately, with
          its author and time kept. --adjudicated records a reviewer's decision, which stays the current
          label until another one.

          Example:
            pleura label set vid_3f9a0c12 absent --author alice
          """)
      @OptionGroup var catalogOptions: CatalogOptions
      @Argument(help: "A source video id (or one of its conversions).") var video: String
      @Argument(help: "present, absent or unknown.") var label: String
      @Option(help: "Who decided it.") var author = Roi.defaultAuthor
      @Flag(help: "Record it as the adjudicated version (a reviewer's decision between annotators).")
      var adjudicated = false

      func validate() throws {
        do { _ = try SlidingLabel(validating: label) } catch {
          throw ValidationError(String(describing: error))
        }
      }

      func run() async throws {
        let catalog = try catalogOptions.open()
        let target = try MediaTarget.resolve(video, in: catalog)
        let entry = LabelEntry(
          video: target.video.id, label: try SlidingLabel(validating: label), author: author,
          adjudicated: adjudicated ? true : nil)
        do {
          let outcome = try await catalogOptions.runner(catalog).run(
            LabelPlugin.self, parameters: .init(entries: [entry]))
          RunReport.print(outcome)
        } catch let error as LabelError {
          throw ValidationError(error.description)
        }
      }
    }

    struct History: AsyncParsableCommand {
      static let configuration = CommandConfiguration(
        abstract: "Every label version of a video, oldest first; * marks the current one.",
        discussion: """
          Example:
            pleura label history vid_3f9a0c12
          """)
      @OptionGroup var catalogOptions: CatalogOptions
      @OptionGroup var output: OutputOptions
      @Argument(help: "A source video id.") var video: String

      func run() async throws {
        let catalog = try catalogOptions.open()
        let target = try MediaTarget.resolve(video, in: catalog)
        let (versions, current) = try await catalog.database.read { db in
          (
            try LabelAnnotation.history(forVideo: target.video.id, in: db),
            try LabelAnnotation.current(forVideo: target.video.id, in: db)
          )
        }
        if output.json { return try output.printJSON(versions) }
        Terminal.table(
          ["", "VERSION", "ID", "LABEL", "AUTHOR", "ADJUDICATED", "CREATED"],
          versions.map { version in
            [
              version.id == current?.id ? "*" : "", "\(version.version)", version.id, version.label.rawValue,
              version.author, version.adjudicated ? "yes" : "", version.createdAt,
            ]
          })
      }
    }
  }

  struct AgreementCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "agreement",
      abstract: "Per pair of annotators: Cohen's kappa on labels and mean ROI IoU, with counts.",
      discussion: """
        Each annotator's latest version of each video counts; adjudicated versions do not. Kappa is
        over present / absent / unknown on the videos both labelled; IoU is in source pixels on the
        videos both gave an ROI.

        Example:
          pleura agreement --json
        """)
    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
      let catalog = try catalogOptions.open()
      let pairs = try await catalog.database.read { db in try Agreement.pairs(in: db) }
      if output.json { return try output.printJSON(pairs) }
      if pairs.isEmpty { return print("no two annotators have annotated the same video yet") }
      Terminal.table(
        ["ANNOTATOR A", "ANNOTATOR B", "LABELLED", "AGREE", "KAPPA", "ROIS", "MEAN IOU"],
        pairs.map { pair in
          [
            pair.annotatorA, pair.annotatorB, "\(pair.labelVideos)", "\(pair.labelsAgreeing)",
            pair.kappa.map { String(format: "%.3f", $0) } ?? "-", "\(pair.roiVideos)",
            pair.meanIoU.map { String(format: "%.3f", $0) } ?? "-",
          ]
        })
    }
  }
}
