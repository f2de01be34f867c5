import Foundation

/// Table 5 as Markdown (the study's layout, then the differences) and as one CSV.
public enum Table5Table {
  static let metrics = PairedComparison.metrics
  static let metricHeader = ["Accuracy", "Sensitivity", "Specificity", "F1", "AUC"]

  static func f(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "-" }
  static func signed(_ value: Double?) -> String { value.map { String(format: "%+.4f", $0) } ?? "-" }

  static func name(_ architecture: String) -> String {
    architecture == ExperimentGrid.mmodeArchitecture
      ? "ResNet-18 (M-mode)" : architecture.replacingOccurrences(of: "resnet3d-", with: "Resnet3D-")
  }

  static func values(_ metrics: BinaryMetrics) -> [Double?] {
    [metrics.accuracy, metrics.sensitivity, metrics.specificity, metrics.f1, metrics.auc]
  }

  /// The levels of a model's row: its examples (cubes, or the M-mode model's images), then videos.
  static func levels(_ row: ExperimentRow) -> [(level: String, metrics: BinaryMetrics)] {
    [
      (row.architecture == ExperimentGrid.mmodeArchitecture ? "images" : "cubes", row.cube),
      ("videos", row.video),
    ]
  }

  static func mcNemar(_ test: McNemarTest) -> String {
    "3D only right \(test.secondOnlyCorrect), M-mode only right \(test.firstOnlyCorrect); \(test.method.rawValue)"
      + (test.statistic.map { String(format: " %.3f,", $0) } ?? ",")
      + String(format: " p = %.4f", test.pValue)
  }

  public static func markdown(_ table: Table5) -> String {
    let header = ["Model", "Dataset", "Level"] + metricHeader + ["Model id"]
    var lines = [
      "Table 5: the best 3D model per cube size and the M-mode baseline on the same \(table.patients) "
        + "\(table.part) patients. Chosen: \(table.selection).", "",
      row(header), rule(header.count),
    ]
    for entry in table.entries {
      for (level, metrics) in levels(entry.row) {
        lines.append(
          row(
            [name(entry.row.architecture), "\(entry.row.dataset) (\(entry.cubeSize) px)", level]
              + values(metrics).map(f) + [entry.row.modelId]))
      }
    }
    for (level, metrics) in levels(table.mmode) {
      lines.append(
        row(
          [name(table.mmode.architecture), table.mmode.dataset, level] + values(metrics).map(f) + [
            table.mmode.modelId
          ]))
    }
    let reference = table.reference
    lines.append(
      row(
        [
          reference.source, "-", "-", f(reference.accuracy), f(reference.sensitivity),
          f(reference.specificity), "-", "-", "-",
        ]))
    let replicates = table.entries.first?.comparison.cube.replicates ?? 0
    let differenceHeader = ["Model", "Dataset", "Level"] + metricHeader + ["McNemar (videos)"]
    lines += [
      "",
      "Difference from the M-mode model (3D minus M-mode) with its 95% interval from a bootstrap over "
        + "patients, the same patients drawn for both models, stratified by label (\(replicates) replicates); "
        + "McNemar's test on the videos both scored.", "",
      row(differenceHeader), rule(differenceHeader.count),
    ]
    for entry in table.entries {
      for (level, paired) in [("cubes", entry.comparison.cube), ("videos", entry.comparison.video)] {
        let cells = metrics.map { metric -> String in
          guard let difference = paired[metric] else { return "-" }
          return signed(difference.difference)
            + (difference.interval.map { " [\(f($0.lower)), \(f($0.upper))]" } ?? "")
        }
        lines.append(
          row(
            [name(entry.row.architecture), entry.row.dataset, level] + cells
              + [level == "videos" ? mcNemar(entry.comparison.videoMcNemar) : ""]))
      }
      let videos = entry.videos
      if videos.firstOnly + videos.secondOnly > 0 {
        lines.append(
          "\nVideo differences of \(name(entry.row.architecture)) are on the \(videos.both) videos both scored "
            + "(\(videos.secondOnly) only in \(entry.row.dataset), \(videos.firstOnly) only in \(table.mmode.dataset))."
        )
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  static func row(_ cells: [String]) -> String { "| " + cells.joined(separator: " | ") + " |" }
  static func rule(_ count: Int) -> String {
    "|" + Array(repeating: "---", count: count).joined(separator: "|") + "|"
  }

  static let csvHeader =
    ["Model", "Dataset", "Cube size", "Level"] + metricHeader
    + metricHeader.flatMap { ["\($0) difference", "\($0) CI lower", "\($0) CI upper"] }
    + ["McNemar 3D only right", "McNemar M-mode only right", "McNemar p", "Model id", "Evaluation id"]

  /// One line per model and level; the difference columns (3D minus M-mode) on the 3D models'.
  public static func csv(_ table: Table5) -> String {
    var lines = [csvHeader]
    for entry in table.entries {
      for ((level, metrics), paired) in zip(
        levels(entry.row), [entry.comparison.cube, entry.comparison.video])
      {
        let differences = self.metrics.flatMap { metric -> [String] in
          let difference = paired[metric]
          return [
            signed(difference?.difference), f(difference?.interval?.lower), f(difference?.interval?.upper),
          ]
        }
        let test = entry.comparison.videoMcNemar
        let mcNemar =
          level == "videos"
          ? ["\(test.secondOnlyCorrect)", "\(test.firstOnlyCorrect)", String(format: "%.4f", test.pValue)]
          : ["", "", ""]
        lines.append(
          [name(entry.row.architecture), entry.row.dataset, "\(entry.cubeSize)", level]
            + values(metrics).map(f)
            + differences + mcNemar + [entry.row.modelId, entry.row.evaluationId])
      }
    }
    let blank = Array(repeating: "", count: metricHeader.count * 3 + 3)
    for (level, metrics) in levels(table.mmode) {
      lines.append(
        [name(table.mmode.architecture), table.mmode.dataset, "", level] + values(metrics).map(f) + blank
          + [table.mmode.modelId, table.mmode.evaluationId])
    }
    let reference = table.reference
    lines.append(
      [reference.source.replacingOccurrences(of: ",", with: ";"), "", "", ""]
        + [f(reference.accuracy), f(reference.sensitivity), f(reference.specificity), "", ""] + blank + [
          "", "",
        ])
    return lines.map { $0.joined(separator: ",") }.joined(separator: "\n") + "\n"
  }
}
