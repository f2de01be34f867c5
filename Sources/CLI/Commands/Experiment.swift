import ArgumentParser
import Foundation
import Media
import Platform
import Training

extension Pleura {
  struct Experiment: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Train and evaluate every (architecture, dataset) pair of a grid; print the results table.",
      discussion: """
        GRID is a JSON file such as datasets/paper-grid.json (or the built-in name paper-grid). \
        Pairs already in the run cache are reused. Writes table.md, table.csv, a training-curves \
        PNG per model and a ROC PNG per evaluation into the output folder. The table has the \
        layout of the study's Table 4.

        Example:
          pleura experiment paper-grid --epochs 4 -o experiment-output
        """)
    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var executorOptions: ExecutorOptions
    @Argument(help: "Grid JSON file (or paper-grid).") var grid: String
    @Option(help: "Override the width multiplier of every model.") var width: Double?
    @Option(help: "Override the epochs.") var epochs: Int?
    @Option(help: "Only these pairs, e.g. 18:all_30x30,34:2_60x60.") var rows: String?
    @Option(help: "Override the engine threads.") var threads: Int?
    @Option(name: [.customShort("o"), .customLong("output")], help: "Folder for tables and pictures.")
    var folder = "experiment-output"

    func validate() throws { try FiniteNumber.check(["--width": width]) }

    func run() async throws {
      let out = try OutputPath.folder(folder)
      var grid: ExperimentGrid
      do { grid = try ExperimentGrid.load(self.grid) } catch {
        throw ValidationError(String(describing: error))
      }
      if let width { grid.train.width = width }
      if let epochs { grid.train.epochs = epochs }
      if let threads { (grid.train.threads, grid.evaluate.threads) = (threads, threads) }
      if let rows {
        grid.rows = ExperimentGrid.parseRows(rows)
        guard !grid.rows.isEmpty else {
          throw ValidationError("--rows takes ARCH:DATASET pairs, e.g. 18:all_30x30")
        }
      }
      let catalog = try catalogOptions.open()
      let onSlurm = try await executorOptions.chosen(for: catalog) == .slurm
      let overrides = executorOptions.overrides
      let result = try await TrainingViews.refusing {
        if onSlurm {
          return try await Training.Experiment.runOnSlurm(
            grid, runner: catalogOptions.runner(catalog), overrides: overrides, log: { Terminal.warn($0) })
        }
        return try await Training.Experiment.run(
          grid, runner: catalogOptions.runner(catalog), log: { Terminal.warn($0) })
      }
      try out.create()
      let markdown = ExperimentTable.markdown(result)
      let csv = ExperimentTable.csv(result)
      try OutputPath.file(out.url.appendingPathComponent("table.md").path).write(Data(markdown.utf8))
      try OutputPath.file(out.url.appendingPathComponent("table.csv").path).write(Data(csv.utf8))
      let pictures = try Self.pictures(result, catalog: catalog, to: out.url)
      if output.json { return try output.printJSON(result) }
      print(markdown)
      print(csv)
      print("tables: \(out.path)/table.md, table.csv")
      print("pictures: " + pictures.map(\.lastPathComponent).joined(separator: ", ") + " in \(out.path)")
    }

    /// A curves picture per model and a ROC picture per evaluation.
    static func pictures(_ rows: [ExperimentRow], catalog: Catalog, to folder: URL) throws -> [URL] {
      var written: [URL] = []
      for row in rows {
        let model = try ModelViews.model(row.modelId, in: catalog)
        let evaluation = try ModelViews.evaluation(row.evaluationId, in: catalog)
        let curves = try JSONDecoder().decode([EpochCurve].self, from: Data(model.curvesJson.utf8))
        let curvesFile = folder.appendingPathComponent("curves-\(model.id).png")
        try OutputPath.file(curvesFile.path).write(
          PNGWriter.encode(
            ChartPictures.curves(
              curves, chosenEpoch: model.chosenEpoch, title: "\(row.architecture) \(row.dataset) \(model.id)")
          ))
        written.append(curvesFile)
        if let sha = evaluation.scoresSha256 {
          let bytes = try catalog.blobs.read(sha, of: "the scores of evaluation \(evaluation.id)")
          let scores = ChartPictures.scores(csv: String(decoding: bytes, as: UTF8.self))
          let rocFile = folder.appendingPathComponent("roc-\(evaluation.id).png")
          try OutputPath.file(rocFile.path).write(
            PNGWriter.encode(
              ChartPictures.roc(
                positives: scores.positives, scores: scores.scores,
                title: "\(row.architecture) \(row.dataset) \(evaluation.id)")))
          written.append(rocFile)
        }
      }
      return written
    }
  }
}
