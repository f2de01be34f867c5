import Foundation
import Primitives

/// A picture of `Double` values in which NaN marks a pixel with no data (outside the scan, under an
/// overlay): the working surface of ROI suggestion. Row-major.
struct Plane: Sendable {
  let width: Int
  let height: Int
  var values: [Double]

  init(width: Int, height: Int, values: [Double]) {
    precondition(values.count == width * height)
    self.width = width
    self.height = height
    self.values = values
  }

  init(width: Int, height: Int, fill: Double = .nan) {
    self.init(width: width, height: height, values: [Double](repeating: fill, count: width * height))
  }

  subscript(x: Int, y: Int) -> Double {
    get { values[y * width + x] }
    set { values[y * width + x] = newValue }
  }

  /// NaN-aware box mean over `(2 rx + 1) x (2 ry + 1)`, clipped at the edges; NaN only where the
  /// whole window is missing.
  func boxBlurred(_ rx: Int, _ ry: Int) -> Plane {
    var sums = [Double](repeating: 0, count: values.count)
    var counts = [Double](repeating: 0, count: values.count)
    // Across: running sums per row.
    for y in 0..<height {
      var prefix = [Double](repeating: 0, count: width + 1)
      var present = [Double](repeating: 0, count: width + 1)
      for x in 0..<width {
        let v = values[y * width + x]
        prefix[x + 1] = prefix[x] + (v.isNaN ? 0 : v)
        present[x + 1] = present[x] + (v.isNaN ? 0 : 1)
      }
      for x in 0..<width {
        let lo = max(0, x - rx)
        let hi = min(width, x + rx + 1)
        sums[y * width + x] = prefix[hi] - prefix[lo]
        counts[y * width + x] = present[hi] - present[lo]
      }
    }
    var out = Plane(width: width, height: height)
    // Down: running sums per column.
    var prefix = [Double](repeating: 0, count: height + 1)
    var present = [Double](repeating: 0, count: height + 1)
    for x in 0..<width {
      for y in 0..<height {
        prefix[y + 1] = prefix[y] + sums[y * width + x]
        present[y + 1] = present[y] + counts[y * width + x]
      }
      for y in 0..<height {
        let lo = max(0, y - ry)
        let hi = min(height, y + ry + 1)
        let n = present[hi] - present[lo]
        if n > 0.5 { out.values[y * width + x] = (prefix[hi] - prefix[lo]) / n }
      }
    }
    return out
  }

  /// The `fraction` quantile (0...1) of each row's values, NaN for rows with fewer than 4 values.
  func rowQuantiles(_ fraction: Double) -> [Double] {
    (0..<height).map { y in
      var row: [Double] = []
      row.reserveCapacity(width)
      for x in 0..<width where !self[x, y].isNaN { row.append(self[x, y]) }
      return row.count >= 4 ? Stats.quantile(row, fraction) : .nan
    }
  }

  /// Bilinear sample at (x, y); NaN outside the picture or next to missing data.
  func sample(x: Double, y: Double) -> Double {
    let x0 = Int(floor(x))
    let y0 = Int(floor(y))
    guard x0 >= 0, y0 >= 0, x0 < width - 1, y0 < height - 1 else { return .nan }
    let fx = x - Double(x0)
    let fy = y - Double(y0)
    let i = y0 * width + x0
    return (values[i] * (1 - fx) + values[i + 1] * fx) * (1 - fy)
      + (values[i + width] * (1 - fx) + values[i + width + 1] * fx) * fy
  }
}

/// Small statistics over `[Double]` that ignore NaN.
enum Stats {
  static func mean(_ values: [Double]) -> Double {
    var sum = 0.0
    var n = 0
    for v in values where !v.isNaN {
      sum += v
      n += 1
    }
    return n > 0 ? sum / Double(n) : .nan
  }

  /// Linear-interpolated quantile of the non-NaN values (NaN when there are none).
  static func quantile(_ values: [Double], _ fraction: Double) -> Double {
    let sorted = values.filter { !$0.isNaN }.sorted()
    guard !sorted.isEmpty else { return .nan }
    let position = fraction * Double(sorted.count - 1)
    let lo = Int(floor(position))
    let hi = min(sorted.count - 1, lo + 1)
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (position - Double(lo))
  }

  static func median(_ values: [Double]) -> Double { quantile(values, 0.5) }

  /// Runs of `true` as half-open ranges.
  static func runs(_ flags: [Bool]) -> [Range<Int>] {
    var result: [Range<Int>] = []
    var start: Int?
    for (i, flag) in (flags + [false]).enumerated() {
      if flag, start == nil { start = i }
      if !flag, let s = start {
        result.append(s..<i)
        start = nil
      }
    }
    return result
  }

  /// A 1-D NaN-aware moving mean of radius `r`.
  static func smoothed(_ values: [Double], radius r: Int) -> [Double] {
    Plane(width: values.count, height: 1, values: values).boxBlurred(r, 0).values
  }
}
