import ArgumentParser
import Foundation
import Platform
import Tiling

extension Pleura {
  struct DatasetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "dataset", abstract: "Build, list, show, compare and export cube datasets.",
      discussion: """
        A dataset NAME@V is a fixed set of cubes (short grey clips, frames x size x size, tiled \
        inside each video's ROI) made by a recipe; an M-mode recipe ("kind": "mmode") makes M-mode \
        images instead, stored as cubes of one frame (1 x size x size). Wherever a dataset is asked for, every name \
        `pleura dataset list` prints is accepted: NAME@V, NAME (its newest version), SITE/NAME@V \
        for another site's, or its ds_ id.

        Example:
          pleura dataset build all_30x30
        """,
      subcommands: [Build.self, List.self, ShowDataset.self, Diff.self, ExportNPY.self])

    struct Build: AsyncParsableCommand {
      static let configuration = CommandConfiguration(
        abstract: "Build a dataset from a recipe file (or a built-in recipe name such as all_30x30).",
        discussion: """
          Built in: \(DatasetRecipe.builtinNames.joined(separator: ", ")) (their JSON is in \
          datasets/). Unchanged inputs reuse the last build; new videos or ROI edits make \
          NAME@(V+1). Videos without a conversion or an ROI are skipped, with the reason.

          Example:
            pleura dataset build all_30x30
          """)
      @OptionGroup var catalogOptions: CatalogOptions
      @OptionGroup var output: OutputOptions
      @OptionGroup var executorOptions: ExecutorOptions
      @Argument(help: "Recipe JSON file or built-in recipe name.") var recipe: String
      @Flag(help: "Build again even if an identical earlier run exists.") var force = false

      func run() async throws {
        let recipe: DatasetRecipe
        do { recipe = try DatasetRecipe.load(self.recipe) } catch {
          throw ValidationError(String(describing: error))
        }
        let catalog = try catalogOptions.open()
        let plan = try await catalog.database.read { db in try TilePlan.make(recipe: recipe, in: db) }
        for skip in plan.skipped { Terminal.warn("skipped \(skip.video) \(skip.fileName): \(skip.reason)") }
        guard !plan.items.isEmpty else {
          throw TilingError.nothingToTile(recipe: recipe.name, skipped: plan.skipped.count)
        }
        for choice in plan.choices {
          Terminal.warn(
            "\(choice.video) \(choice.fileName): \(choice.others.count + 1) conversions match \(recipe.conversion); "
              + "took \(choice.chosen), the first made (not \(choice.others.joined(separator: ", ")))")
        }
        if try await executorOptions.chosen(for: catalog) == .slurm {
          return try await executorOptions.submit(
            TilePlugin.self, parameters: .init(recipe: recipe), inputs: plan.inputs, catalog: catalog,
            force: force,
            output: output)
        }
        let outcome = try await catalogOptions.runner(catalog).run(
          TilePlugin.self, parameters: .init(recipe: recipe), inputs: plan.inputs, force: force)
        if output.json { return try output.printJSON(outcome) }
        RunReport.print(outcome)
      }
    }

    struct List: AsyncParsableCommand {
      static let configuration = CommandConfiguration(
        abstract: "List datasets with their site.",
        discussion: """
          The DATASET column is the name other commands take (SITE/NAME@V for another site's).

          Example:
            pleura dataset list --json
          """)
      @OptionGroup var catalogOptions: CatalogOptions
      @OptionGroup var output: OutputOptions

      func run() async throws {
        let rows = try DatasetViews.list(try catalogOptions.openForReading())
        if output.json { return try output.printJSON(rows) }
        Terminal.table(
          ["DATASET", "ID", "SITE", "KIND", "CUBES", "VIDEOS", "PATIENTS", "SKIPPED", "CREATED"],
          rows.map {
            [
              $0.reference, $0.id, $0.site, $0.kind, "\($0.cubes)", "\($0.videos)", "\($0.patients)",
              "\($0.skipped)",
              $0.createdAt,
            ]
          })
      }
    }

    struct ShowDataset: AsyncParsableCommand {
      static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Counts per label and patient, tiles per video, skipped videos and why.",
        discussion: """
          Example:
            pleura dataset show all_30x30@1
          """)
      @OptionGroup var catalogOptions: CatalogOptions
      @OptionGroup var output: OutputOptions
      @Argument(help: "A dataset: NAME@V, NAME (the newest), SITE/NAME@V or its id.") var dataset: String

      func run() async throws {
        let catalog = try catalogOptions.openForReading()
        let detail = try DatasetViews.detail(dataset, in: catalog)
        if output.json { return try output.printJSON(detail) }
        let (found, summary, splits) = (detail.dataset, detail.summary, detail.splits)
        print("\(found.reference) (\(found.id)), \(summary.cubes) cubes")
        print("holds: \(detail.holds)")
        print(
          "per label: "
            + summary.perLabel.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(
              separator: ", "))
        print(
          "per patient: "
            + summary.perPatient.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(
              separator: ", "))
        print("videos:")
        Terminal.table(
          ["  VIDEO", "FILE", "PATIENT", "LABEL", "ROI", "TILES/CLIP", "CLIPS", "CUBES", "OUTSIDE IMAGE"],
          summary.videos.map { video in
            [
              "  " + video.video, video.fileName, video.patient,
              video.label + (video.labelVersion.map { " v\($0)" } ?? ""), "v\(video.roiVersion)",
              "\(video.tilesPerClip)", "\(video.clips)", "\(video.cubes)",
              video.cubesPartlyOutside.map { "\($0) partly, \(video.cubesSkippedOutside ?? 0) skipped" }
                ?? "-",
            ]
          })
        if !summary.skipped.isEmpty {
          print("skipped:")
          for skip in summary.skipped { print("  \(skip.video) \(skip.fileName): \(skip.reason)") }
        }
        if !splits.isEmpty { print("splits: " + splits.joined(separator: ", ")) }
      }
    }

    struct Diff: AsyncParsableCommand {
      static let configuration = CommandConfiguration(
        abstract: "Cubes added and removed between two datasets, and label or ROI changes, by video.",
        discussion: """
          A cube is the same in both when it comes from the same conversion, ROI version, clip and tile.
          A video whose cubes carry another label (version) or were cut with another ROI version says so.

          Example:
            pleura dataset diff all_30x30@1 all_30x30@2
          """)
      @OptionGroup var catalogOptions: CatalogOptions
      @OptionGroup var output: OutputOptions
      @Argument(help: "The first dataset (any name `pleura dataset list` prints).") var from: String
      @Argument(help: "The second dataset.") var to: String

      func run() async throws {
        let rows = try DatasetViews.diff(from, to, in: try catalogOptions.openForReading())
        if output.json { return try output.printJSON(rows) }
        if rows.isEmpty { return print("\(from) and \(to) hold the same cubes") }
        Terminal.table(
          ["VIDEO", "FILE", "ADDED", "REMOVED", "LABEL", "ROI"],
          rows.map {
            [
              $0.video, $0.fileName, "\($0.added)", "\($0.removed)", $0.labelChange ?? "-",
              $0.roiChange ?? "-",
            ]
          })
      }
    }

    struct ExportNPY: AsyncParsableCommand {
      static let configuration = CommandConfiguration(
        commandName: "export-npy", abstract: "Write cubes.npy, labels.npy and meta.csv for Python users.",
        discussion: """
          cubes.npy is uint8 [cubes, frames, size, size], labels.npy uint8 (1 = lung sliding \
          present), meta.csv one row per cube (video, conversion, patient, label, clip, tile). \
          numpy.load reads them.

          Example:
            pleura dataset export-npy all_30x30@1 all_30x30-npy
          """)
      @OptionGroup var catalogOptions: CatalogOptions
      @Argument(help: "A dataset: NAME@V, NAME (the newest), SITE/NAME@V or its id.") var dataset: String
      @Argument(help: "Output folder (created).") var folder: String

      func run() async throws {
        let out = try OutputPath.folder(folder, option: "output folder")
        let count = try DatasetExport.writeNPY(dataset, to: out.url, catalog: try catalogOptions.open())
        print("wrote \(count) cubes to \(folder)/cubes.npy, labels.npy (1 = present), meta.csv")
      }
    }
  }

  struct SplitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "split", abstract: "Patient-wise splits of a dataset into train/validation/test.",
      discussion: """
        `pleura split NAME@V` is `pleura split make NAME@V`. All of a patient's cubes go to one part, \
        so no patient is both trained and tested on.

        Example:
          pleura split all_30x30@1 --seed 7
        """,
      subcommands: [Make.self, ShowSplit.self], defaultSubcommand: Make.self)

    struct Make: AsyncParsableCommand {
      static let configuration = CommandConfiguration(
        commandName: "make",
        abstract: "Split a dataset's patients into train, validation and test (stratified by label, seeded).",
        discussion: """
          --test and --validation are shares of each label's patients. The same dataset, shares \
          and seed give the same split.

          Example:
            pleura split make all_30x30@1 --test 0.3 --validation 0.15
          """)
      @OptionGroup var catalogOptions: CatalogOptions
      @OptionGroup var output: OutputOptions
      @Argument(help: "A dataset: NAME@V, NAME (the newest), SITE/NAME@V or its id.") var dataset: String
      @Option(help: "Seed.") var seed = SplitPlugin.Parameters().seed
      @Option(help: "Share of each label's patients in test.") var test = SplitPlugin.Parameters().test
      @Option(help: "Share of each label's patients in validation.")
      var validation = SplitPlugin.Parameters().validation

      func validate() throws { try FiniteNumber.check(["--test": test, "--validation": validation]) }

      var parameters: SplitPlugin.Parameters {
        var parameters = SplitPlugin.Parameters()
        parameters.seed = seed
        parameters.test = test
        parameters.validation = validation
        return parameters
      }

      func run() async throws {
        let catalog = try catalogOptions.open()
        let found = try await catalog.database.read { db in try Dataset.find(dataset, in: db) }
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
        commandName: "show", abstract: "Patients, videos and cubes per part and label of a split.",
        discussion: """
          Example:
            pleura split show split_5c1e0a9b
          """)
      @OptionGroup var catalogOptions: CatalogOptions
      @OptionGroup var output: OutputOptions
      @Argument(help: "A split id.") var split: String

      func run() async throws {
        let catalog = try catalogOptions.openForReading()
        let ref = try await catalog.database.read { db in
          try EntityLookup.resolve(split, as: [.split], in: db)
        }
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
