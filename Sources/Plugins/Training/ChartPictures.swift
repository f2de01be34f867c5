import Foundation
import Media

/// Small line charts: training curves per model and ROC curves per evaluation.
public enum ChartPictures {
  struct Series {
    var name: String
    var color: RGBColor
    var points: [(x: Double, y: Double)]
  }

  static let blue = RGBColor(red: 60, green: 140, blue: 255)
  static let orange = RGBColor(red: 255, green: 150, blue: 40)

  /// Loss (left) and accuracy (right) per epoch, training and validation, the kept epoch marked.
  public static func curves(_ curves: [EpochCurve], chosenEpoch: Int, title: String) -> RGBImage {
    let panel = 300
    var image = RGBImage(width: 2 * panel + 30, height: panel + 40, fill: .white)
    image.drawText(title, x: 6, y: 4, color: .black)
    let epochs = curves.map { Double($0.epoch) }
    let maxLoss = max(0.1, curves.flatMap { [$0.trainLoss, $0.validationLoss] }.max() ?? 1)
    let xRange = 1...max(2, epochs.last ?? 1)
    draw(
      &image, x: 10, y: 20, size: panel, xRange: xRange, yRange: 0...maxLoss, label: "LOSS",
      series: [
        Series(name: "TRAIN", color: blue, points: zip(epochs, curves.map(\.trainLoss)).map { ($0, $1) }),
        Series(
          name: "VAL", color: orange, points: zip(epochs, curves.map(\.validationLoss)).map { ($0, $1) }),
      ], marker: Double(chosenEpoch))
    draw(
      &image, x: panel + 20, y: 20, size: panel, xRange: xRange, yRange: 0...1, label: "ACCURACY",
      series: [
        Series(name: "TRAIN", color: blue, points: zip(epochs, curves.map(\.trainAccuracy)).map { ($0, $1) }),
        Series(
          name: "VAL", color: orange, points: zip(epochs, curves.map(\.validationAccuracy)).map { ($0, $1) }),
      ], marker: Double(chosenEpoch))
    return image
  }

  /// The ROC curve of scores against labels (present = positive), with its AUC.
  public static func roc(positives: [Bool], scores: [Double], title: String) -> RGBImage {
    let panel = 320
    var image = RGBImage(width: panel + 20, height: panel + 40, fill: .white)
    image.drawText(title, x: 6, y: 4, color: .black)
    let auc = BinaryMetrics.auc(positives: positives, scores: scores)
    let p = Double(max(1, positives.filter { $0 }.count))
    let n = Double(max(1, positives.filter { !$0 }.count))
    var points: [(x: Double, y: Double)] = [(0, 0)]
    var tp = 0.0
    var fp = 0.0
    let order = scores.indices.sorted { scores[$0] > scores[$1] }
    var i = 0
    while i < order.count {
      var j = i
      while j < order.count, scores[order[j]] == scores[order[i]] {
        if positives[order[j]] { tp += 1 } else { fp += 1 }
        j += 1
      }
      points.append((fp / n, tp / p))
      i = j
    }
    draw(
      &image, x: 10, y: 20, size: panel, xRange: 0...1, yRange: 0...1,
      label: "ROC AUC " + (auc.map { String(format: "%.3f", $0) } ?? "-"),
      series: [
        Series(name: "CHANCE", color: RGBColor(gray: 170), points: [(0, 0), (1, 1)]),
        Series(name: "MODEL", color: blue, points: points),
      ], marker: nil)
    return image
  }

  private static func draw(
    _ image: inout RGBImage, x: Int, y: Int, size: Int, xRange: ClosedRange<Double>,
    yRange: ClosedRange<Double>,
    label: String, series: [Series], marker: Double?
  ) {
    let inner = size - 20
    let left = x + 10
    let top = y + 14
    image.strokeRectangle(x: left, y: top, width: inner, height: inner, color: RGBColor(gray: 120))
    image.drawText(label, x: left, y: y + 2, color: .black)
    let gray = RGBColor(gray: 90)
    func number(_ v: Double) -> String { v == v.rounded() ? "\(Int(v))" : String(format: "%.2f", v) }
    image.drawText(number(yRange.upperBound), x: left + 3, y: top + 3, color: gray)
    image.drawText(number(yRange.lowerBound), x: left + 3, y: top + inner - 10, color: gray)
    image.drawText(number(xRange.lowerBound), x: left, y: top + inner + 3, color: gray)
    let last = number(xRange.upperBound)
    image.drawText(last, x: left + inner - BitmapFont.width(of: last), y: top + inner + 3, color: gray)
    func px(_ v: Double) -> Int {
      left
        + Int(
          ((v - xRange.lowerBound) / max(1e-9, xRange.upperBound - xRange.lowerBound)) * Double(inner - 1))
    }
    func py(_ v: Double) -> Int {
      let t =
        (min(max(v, yRange.lowerBound), yRange.upperBound) - yRange.lowerBound)
        / max(1e-9, yRange.upperBound - yRange.lowerBound)
      return top + inner - 1 - Int(t * Double(inner - 1))
    }
    if let marker {
      for yy in stride(from: top, to: top + inner, by: 3) { image[px(marker), yy] = RGBColor(gray: 150) }
    }
    for (index, s) in series.enumerated() {
      for (a, b) in zip(s.points, s.points.dropFirst()) {
        line(&image, px(a.x), py(a.y), px(b.x), py(b.y), s.color)
      }
      for point in s.points where s.points.count < 40 {
        image.fillRectangle(x: px(point.x) - 1, y: py(point.y) - 1, width: 3, height: 3, color: s.color)
      }
      image.drawText(s.name, x: left + inner - 60, y: top + 6 + index * 10, color: s.color)
    }
  }

  /// Bresenham's line, clipped to the image.
  static func line(_ image: inout RGBImage, _ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, _ color: RGBColor) {
    var (x, y) = (x0, y0)
    let dx = abs(x1 - x0)
    let dy = -abs(y1 - y0)
    let sx = x0 < x1 ? 1 : -1
    let sy = y0 < y1 ? 1 : -1
    var error = dx + dy
    while true {
      if x >= 0, y >= 0, x < image.width, y < image.height { image[x, y] = color }
      if x == x1 && y == y1 { break }
      let e2 = 2 * error
      if e2 >= dy {
        error += dy
        x += sx
      }
      if e2 <= dx {
        error += dx
        y += sy
      }
    }
  }

  /// Labels and scores from an evaluation's scores CSV.
  public static func scores(csv: String) -> (positives: [Bool], scores: [Double]) {
    var positives: [Bool] = []
    var scores: [Double] = []
    for line in csv.split(separator: "\n").dropFirst() {
      let cells = line.split(separator: ",")
      guard cells.count >= 6, let score = Double(cells[5]) else { continue }
      positives.append(cells[4] == "present")
      scores.append(score)
    }
    return (positives, scores)
  }
}
