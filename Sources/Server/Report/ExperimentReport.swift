import Foundation
import Media
import Platform
import Tiling
import Training

/// The experiment report as one HTML file with its pictures inlined (PNG as data: URLs) and its
/// stylesheet inside: it opens offline and travels as an e-mail attachment. The workbench serves
/// the same page at /report.
///
/// It holds the Table 4 grid (test metrics of every model), then per model its settings, the
/// dataset's cubes per part and label, training curves, each evaluation's metrics with 95%
/// intervals, confusion matrices and ROC curve, and the saliency strips of its `explain` runs.
public enum ExperimentReport {
  public static func html(models: [String], catalog: Catalog) throws -> String {
    render(try ReportData.read(models: models, catalog: catalog))
  }

  static func render(_ data: ReportData) -> String {
    var body =
      "<h1>Pleura report</h1>\n<p class=\"meta\">Site \(HTML.escape(data.site)) · \(data.models.count) "
      + "model(s) · made \(HTML.escape(Timestamp.now())) by Pleura \(HTML.escape(PlatformVersion.current))</p>\n"
    body += table4(data.models)
    for entry in data.models { body += section(entry) }
    return """
      <!doctype html>
      <html lang="en"><head><meta charset="utf-8"><title>Pleura report</title>
      <style>\(style)</style></head>
      <body>
      \(body)
      </body></html>
      """
  }

  static let style = """
    body{font:14px/1.45 system-ui,sans-serif;color:#1d2330;max-width:1100px;margin:1.5rem auto;padding:0 1rem}
    table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{border-bottom:1px solid #d8dde6;padding:.3rem .6rem;text-align:left}
    th{background:#f0f2f5}td.n{text-align:right;font-variant-numeric:tabular-nums}.meta{color:#5d6677}
    img{max-width:100%;border:1px solid #d8dde6;margin:.25rem 0}h2{margin-top:2rem;border-top:2px solid #1d2330;padding-top:.75rem}
    .pair{display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-start}
    """

  static func number(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "–" }

  static func png(_ image: RGBImage) -> String {
    guard let data = try? PNGWriter.encode(image) else { return "" }
    return png(data)
  }

  static func png(_ data: Data) -> String { "data:image/png;base64," + data.base64EncodedString() }

  static func datasetName(_ entry: ReportData.ModelEntry) -> String {
    entry.dataset?.reference ?? entry.model.datasetId
  }

  /// The study's Table 4: accuracy, sensitivity, specificity and F1 on the test part, per
  /// architecture and dataset (plus AUC and video-level accuracy, beyond the paper).
  static func table4(_ models: [ReportData.ModelEntry]) -> String {
    let rows = models.compactMap { entry -> String? in
      guard let test = entry.evaluations.last(where: { $0.evaluation.part == .test }),
        let report = test.report
      else {
        return
          "<tr><td>\(HTML.escape(entry.model.architecture))</td><td>\(HTML.escape(datasetName(entry)))</td>"
          + "<td colspan=\"7\">not evaluated on its test part</td></tr>"
      }
      let m = report.cube.metrics
      return
        "<tr><td>\(HTML.escape(entry.model.architecture))</td><td>\(HTML.escape(datasetName(entry)))</td>"
        + "<td class=\"n\">\(m.count)</td><td class=\"n\">\(number(m.accuracy))</td>"
        + "<td class=\"n\">\(number(m.sensitivity))</td><td class=\"n\">\(number(m.specificity))</td>"
        + "<td class=\"n\">\(number(m.f1))</td><td class=\"n\">\(number(m.auc))</td>"
        + "<td class=\"n\">\(number(report.video.metrics.accuracy))</td></tr>"
    }
    return """
      <h2>Table 4: test results</h2>
      <table><tr><th>Architecture</th><th>Dataset</th><th>Cubes</th><th>Accuracy</th><th>Sensitivity</th>
      <th>Specificity</th><th>F1</th><th>ROC AUC</th><th>Video accuracy</th></tr>
      \(rows.joined(separator: "\n"))</table>
      """
  }

  static func section(_ entry: ReportData.ModelEntry) -> String {
    let model = entry.model
    var out =
      "<h2>\(HTML.escape(model.architecture)) on \(HTML.escape(datasetName(entry))) "
      + "<small>\(model.id)</small></h2>\n"
    if let setup = entry.setup {
      out +=
        "<p>Width ×\(setup.widthMultiplier), \(setup.epochs) epochs (kept epoch \(model.chosenEpoch), "
        + "lowest validation loss), batch \(setup.batchSize), learning rate \(setup.learningRate), "
        + "\(setup.optimizer), seed \(setup.seed); \(setup.trainCubes) training and \(setup.validationCubes) "
        + "validation cubes of \(setup.frames)×\(setup.size)×\(setup.size).</p>\n"
    }
    if !entry.splitCounts.isEmpty {
      out += "<table><tr><th>Part</th><th>Label</th><th>Patients</th><th>Videos</th><th>Cubes</th></tr>"
      for count in entry.splitCounts {
        out +=
          "<tr><td>\(count.part)</td><td>\(HTML.escape(count.label))</td><td class=\"n\">\(count.patients)</td>"
          + "<td class=\"n\">\(count.videos)</td><td class=\"n\">\(count.cubes)</td></tr>"
      }
      out += "</table>\n"
    }
    if !entry.curves.isEmpty {
      let chart = ChartPictures.curves(
        entry.curves, chosenEpoch: model.chosenEpoch, title: "\(model.architecture.uppercased()) TRAINING")
      out += "<h3>Training curves</h3><img alt=\"training curves\" src=\"\(png(chart))\">\n"
    }
    for (evaluation, report, scores) in entry.evaluations {
      out += "<h3>Evaluation on \(evaluation.part.rawValue) <small>\(evaluation.id)</small></h3>\n"
      guard let report else {
        out += "<p>Its metrics are in a form this version cannot read.</p>"
        continue
      }
      out += "<div class=\"pair\"><div>" + metricsTable(report) + confusion(report) + "</div>"
      if let scores {
        let (positives, values) = ChartPictures.scores(csv: scores)
        if !positives.isEmpty {
          let roc = ChartPictures.roc(
            positives: positives, scores: values, title: "ROC \(evaluation.part.rawValue.uppercased())")
          out += "<img alt=\"ROC curve\" src=\"\(png(roc))\">"
        }
      }
      out += "</div>\n"
    }
    if !entry.strips.isEmpty {
      out += "<h3>Saliency (Figure 5): input, vanilla gradient, SmoothGrad</h3>\n"
      for strip in entry.strips { out += "<img alt=\"saliency strip\" src=\"\(png(strip))\">\n" }
    }
    return out
  }

  static func metricsTable(_ report: EvaluationReport) -> String {
    func cell(_ level: LevelReport, _ name: String, _ value: Double?) -> String {
      let interval =
        level.intervals[name].map {
          " <small>[\(String(format: "%.3f", $0.lower))–\(String(format: "%.3f", $0.upper))]</small>"
        } ?? ""
      return "<td class=\"n\">\(number(value))\(interval)</td>"
    }
    var out =
      "<table><tr><th>Level</th><th>n</th><th>Accuracy</th><th>Sensitivity</th><th>Specificity</th><th>F1</th><th>AUC</th></tr>"
    for (title, level) in [("cubes", report.cube), ("videos", report.video)] {
      let m = level.metrics
      out +=
        "<tr><td>\(title)</td><td class=\"n\">\(m.count)</td>" + cell(level, "accuracy", m.accuracy)
        + cell(level, "sensitivity", m.sensitivity) + cell(level, "specificity", m.specificity)
        + cell(level, "f1", m.f1) + cell(level, "auc", m.auc) + "</tr>"
    }
    return out
      + "</table><p class=\"meta\">\(report.patients) patients, \(report.videos) videos; 95% intervals "
      + "from \(report.bootstrap) bootstrap replicates over patients.</p>"
  }

  static func confusion(_ report: EvaluationReport) -> String {
    var out = ""
    for (title, level) in [("Cubes", report.cube), ("Videos", report.video)] {
      let c = level.metrics.confusion
      out += """
        <table><tr><th>\(title)</th><th>predicted present</th><th>predicted absent</th></tr>
        <tr><th>present</th><td class="n">\(c.truePositive)</td><td class="n">\(c.falseNegative)</td></tr>
        <tr><th>absent</th><td class="n">\(c.falsePositive)</td><td class="n">\(c.trueNegative)</td></tr></table>
        """
    }
    return out
  }
}
