import ArgumentParser
import Foundation
import GRDB
import Platform
import Tiling

extension Pleura {
  struct DatasetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "dataset", abstract: "Build, list, show, compare and export cube datasets.",
      subcommands: [Build.self, List.self, ShowDataset.self, Diff.self, ExportNPY.self])

    struct Build: AsyncParsableCommand {
      static let configuration = CommandConfiguration(
        abstract: "Build a dataset from a recipe file (or a built-in recipe name such as all_30x30).",
        discussion: "Unchanged inputs reuse the last build; new videos or ROI edits make NAME@(V+1).")
      @OptionGroup var catalogOptions: CatalogOptions
      @OptionGroup var output: OutputOptions
      @Argument(help: "Recipe JSON file or built-in recipe name.") var recipe: String
      @Flag(help: "Build again even if an identical earlier run exists.") var force = false

      func run() async throws {
        let recipe: DatasetRecipe
        do { recipe = try DatasetRecipe.load(self.recipe) } catch {
          throw ValidationError(String(describing: error))
        }
        let catalog = try catalogOptions.open()
        let plan = try await catalog.database.read { db in try TilePlan.make(recipe: recipe, in: db) }
        guard !plan.items.isEmpty else {
          for skip in plan.skipped { Terminal.warn("skipped \(skip.video) \(skip.fileName): \(skip.reason)") }
          throw TilingError.nothingToTile(recipe: recipe.name, skipped: plan.skipped.count)
        }
        let outcome = try await catalogOptions.runner(catalog).run(
          TilePlugin.self, parameters: .init(recipe: recipe), inputs: plan.inputs, force: force)
        if output.json { return try output.printJSON(outcome) }
        RunReport.print(outcome)
      }
    }

    struct List: AsyncParsableCommand {
      static let configuration = CommandConfiguration(abstract: "List datasets with their site.")
      @OptionGroup var catalogOptions: CatalogOptions
      @OptionGroup var output: OutputOptions

      func run() async throws {
        let rows = try DatasetViews.list(try catalogOptions.open())
        if output.json { return try output.printJSON(rows) }
        Terminal.table(
          ["DATASET", "ID", "SITE", "CUBES", "VIDEOS", "PATIENTS", "SKIPPED", "CREATED"],
          rows.map {
            [
              $0.reference, $0.id, $0.site, "\($0.cubes)", "\($0.videos)", "\($0.patients)", "\($0.skipped)",
              $0.createdAt,
            ]
          })
      }
    }

    struct ShowDataset: AsyncParsableCommand {
      static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Counts per label and patient, tiles per video, skipped videos and why.")
      @OptionGroup var catalogOptions: CatalogOptions
      @OptionGroup var output: OutputOptions
      @Argument(help: "NAME@VERSION (or NAME for the newest).") var dataset: String

      func run() async throws {
        let catalog = try catalogOptions.open()
        let (found, summary, splits) = try await catalog.database.read { db in
          let found = try Dataset.find(dataset, in: db)
          let splits = try Split.filter(Split.Columns.datasetId == found.id).fetchAll(db)
          return (found, try DatasetViews.summary(found), splits)
        }
        if output.json {
          return try output.printJSON(
            DatasetViews.Detail(dataset: found, summary: summary, splits: splits.map(\.id)))
        }
        print("\(found.reference) (\(found.id)), \(summary.cubes) cubes")
        print(
          "per label: "
            + summary.perLabel.keys.sorted().map { "\($0) \(summary.perLabel[$0]!)" }.joined(separator: ", "))
        print(
          "per patient: "
            + summary.perPatient.keys.sorted().map { "\($0) \(summary.perPatient[$0]!)" }.joined(
              separator: ", "))
        print("videos:")
        Terminal.table(
          ["  VIDEO", "FILE", "PATIENT", "LABEL", "ROI", "TILES/CLIP", "CLIPS", "CUBES", "OUTSIDE IMAGE"],
          summary.videos.map { video in
            [
              "  " + video.video, video.fileName, video.patient, video.label, "v\(video.roiVersion)",
              "\(video.tilesPerClip)", "\(video.clips)", "\(video.cubes)",
              video.cubesPartlyOutside.map { "\($0) partly, \(video.cubesSkippedOutside ?? 0) skipped" }
                ?? "-",
            ]
          })
        if !summary.skipped.isEmpty {
          print("skipped:")
          for skip in summary.skipped { print("  \(skip.video) \(skip.fileName): \(skip.reason)") }
        }
        if !splits.isEmpty { print("splits: " + splits.map(\.id).joined(separator: ", ")) }
      }
    }

    struct Diff: AsyncParsableCommand {
      static let configuration = CommandConfiguration(
        abstract: "Cubes added and removed between two datasets, by video.")
      @OptionGroup var catalogOptions: CatalogOptions
      @OptionGroup var output: OutputOptions
      @Argument(help: "NAME@V") var from: String
      @Argument(help: "NAME@V") var to: String

      func run() async throws {
        let rows = try DatasetViews.diff(from, to, in: try catalogOptions.open())
        if output.json { return try output.printJSON(rows) }
        if rows.isEmpty { return print("\(from) and \(to) hold the same cubes") }
        Terminal.table(
          ["VIDEO", "FILE", "ADDED", "REMOVED"],
          rows.map { [$0.video, $0.fileName, "\($0.added)", "\($0.removed)"] })
      }
    }

    struct ExportNPY: AsyncParsableCommand {
      static let configuration = CommandConfiguration(
        commandName: "export-npy", abstract: "Write cubes.npy, labels.npy and meta.csv for Python users.")
      @OptionGroup var catalogOptions: CatalogOptions
      @Argument(help: "NAME@V") var dataset: String
      @Argument(help: "Output folder (created).") var folder: String

      func run() async throws {
        let count = try DatasetExport.writeNPY(
          dataset, to: URL(fileURLWithPath: folder), catalog: try catalogOptions.open())
        print("wrote \(count) cubes to \(folder)/cubes.npy, labels.npy (1 = present), meta.csv")
      }
    }
  }

  struct SplitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "split", abstract: "Patient-wise splits of a dataset into train/validation/test.",
      subcommands: [Make.self, ShowSplit.self], defaultSubcommand: Make.self)

    struct Make: AsyncParsableCommand {
      static let configuration = CommandConfiguration(
        commandName: "make",
        abstract: "Split a dataset's patients (stratified by label, seeded): `pleura split NAME@V`.")
      @OptionGroup var catalogOptions: CatalogOptions
      @OptionGroup var output: OutputOptions
      @Argument(help: "NAME@V") var dataset: String
      @Option(help: "Seed.") var seed = 42
      @Option(help: "Share of each label's patients in test.") var test = 0.3
      @Option(help: "Share of each label's patients in validation.") var validation = 0.15

      func run() async throws {
        let catalog = try catalogOptions.open()
        let found = try await catalog.database.read { db in try Dataset.find(dataset, in: db) }
        var parameters = SplitPlugin.Parameters()
        parameters.seed = seed
        parameters.test = test
        parameters.validation = validation
        let outcome: RunOutcome
        do {
          outcome = try await catalogOptions.runner(catalog).run(
            SplitPlugin.self, parameters: parameters, inputs: [EntityRef(.dataset, found.id)])
        } catch let error as SplitError {
          throw ValidationError(error.description)
        }
        if output.json { return try output.printJSON(outcome) }
        RunReport.print(outcome)
        if let splitID = outcome.outputs.first?.id { try DatasetViews.printSplit(splitID, catalog: catalog) }
      }
    }

    struct ShowSplit: AsyncParsableCommand {
      static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Patients, videos and cubes per part and label of a split.")
      @OptionGroup var catalogOptions: CatalogOptions
      @OptionGroup var output: OutputOptions
      @Argument(help: "A split id.") var split: String

      func run() async throws {
        let catalog = try catalogOptions.open()
        let ref = try await catalog.database.read { db in try EntityLookup.resolve(split, in: db) }
        guard ref.kind == .split else { throw ValidationError("\(split) is not a split") }
        let (counts, patients) = try await catalog.database.read { db in
          (try DatasetViews.splitCounts(ref.id, in: db), try DatasetViews.splitPatients(ref.id, in: db))
        }
        if output.json {
          return try output.printJSON([
            "counts": counts.map(\.description), "patients": patients.map(\.description),
          ])
        }
        Terminal.table(
          ["PART", "LABEL", "PATIENTS", "VIDEOS", "CUBES"],
          counts.map { [$0.part, $0.label, "\($0.patients)", "\($0.videos)", "\($0.cubes)"] })
        print("patients:")
        Terminal.table(
          ["  PART", "PATIENT", "SITE", "LABELS"],
          patients.map { ["  " + $0.part, $0.code, $0.site, $0.labels] })
      }
    }
  }
}

extension DatasetViews {
  static func printSplit(_ splitID: String, catalog: Catalog) throws {
    let counts = try catalog.database.read { db in try splitCounts(splitID, in: db) }
    Terminal.table(
      ["PART", "LABEL", "PATIENTS", "VIDEOS", "CUBES"],
      counts.map { [$0.part, $0.label, "\($0.patients)", "\($0.videos)", "\($0.cubes)"] })
  }
}
