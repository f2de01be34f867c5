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

        The M-mode row: when the grid names an M-mode recipe ("mmode": "mmode_64" in paper-grid, \
        or --mmode), the study's M-mode baseline, a 2D ResNet-18 (--arch resnet-18), is trained on \
        that dataset with the grid's settings, on a split that continues the split of the chosen 3D \
        models (each patient keeps its part, as `pleura retrain` does), so it is tested on the same \
        patients; if the test patients cannot be aligned the command refuses. Table 5 (table5.md, \
        table5.csv, and "table5" in --json) then puts the best 3D model of each cube size (the \
        highest cube accuracy in Table 4; ties: F1, then AUC) next to it, at cube (image) and video \
        level, with the study's reference row (Jaščur et al.: 0.89 / 0.82 / 0.92), and each 3D \
        model's difference from the M-mode model with a 95% interval from a bootstrap over \
        patients and McNemar's test on the videos.

        Example:
          pleura experiment paper-grid --epochs 4 -o experiment-output
          pleura experiment paper-grid --width 0.125 --rows 18:all_30x30,18:all_60x60 --mmode mmode_64
        """)
    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var executorOptions: ExecutorOptions
    @Argument(help: "Grid JSON file (or paper-grid).") var grid: String
    @Option(help: "Override the width multiplier of every model.") var width: Double?
    @Option(help: "Override the epochs.") var epochs: Int?
    @Option(help: "Only these pairs, e.g. 18:all_30x30,34:2_60x60.") var rows: String?
    @Option(help: "Override the engine threads.") var threads: Int?
    @Option(help: "M-mode recipe of Table 5's baseline row (default: the grid's; none drops the row).")
    var mmode: String?
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
      if let mmode { grid.mmode = mmode == "none" ? "" : mmode }
      do { try Training.Experiment.checkMModeRow(grid) } catch {
        throw ValidationError(String(describing: error))
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
      // Table 4 is written before Table 5 is made: a Table 5 that refuses leaves it in place.
      try OutputPath.file(out.url.appendingPathComponent("table.md").path).write(Data(markdown.utf8))
      try OutputPath.file(out.url.appendingPathComponent("table.csv").path).write(Data(csv.utf8))
      let table5 = try await TrainingViews.refusing { [grid] in
        try await Training.Experiment.table5(
          grid, rows: result, runner: catalogOptions.runner(catalog),
          execution: onSlurm
            ? Training.Experiment.RowExecution.slurm(
              catalog, overrides: overrides, log: { Terminal.warn($0) }) : nil,
          log: { Terminal.warn($0) })
      }
      var tables = ["table.md", "table.csv"]
      if let table5 {
        try OutputPath.file(out.url.appendingPathComponent("table5.md").path).write(
          Data(Table5Table.markdown(table5).utf8))
        try OutputPath.file(out.url.appendingPathComponent("table5.csv").path).write(
          Data(Table5Table.csv(table5).utf8))
        tables += ["table5.md", "table5.csv"]
      }
      let pictures = try Self.pictures(
        result + (table5.map { [$0.mmode] } ?? []), catalog: catalog, to: out.url)
      if output.json { return try output.printJSON(ExperimentResult(rows: result, table5: table5)) }
      print(markdown)
      print(csv)
      if let table5 {
        print(Table5Table.markdown(table5))
        print(Table5Table.csv(table5))
      }
      print("tables: \(out.path)/" + tables.joined(separator: ", "))
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

/// What `pleura experiment --json` prints: Table 4's rows and Table 5 (null without an M-mode row).
struct ExperimentResult: Encodable {
  var rows: [ExperimentRow]
  var table5: Table5?

  func encode(to encoder: Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(rows, forKey: .rows)
    // Present as null rather than left out, so a reader finds the key either way.
    try container.encode(table5, forKey: .table5)
  }

  enum CodingKeys: String, CodingKey { case rows, table5 }
}
