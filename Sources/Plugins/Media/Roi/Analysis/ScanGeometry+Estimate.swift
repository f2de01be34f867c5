import Foundation
import Platform
import Primitives

extension ScanGeometry {
  /// The probe's geometry as the region of echo data shows it. A convex probe's sector has straight
  /// sides that converge above the picture (its apex): when both sides' edge points fit lines leaning
  /// outward, they meet at the apex and the radii of the region's pixels give the face's arc and the
  /// depth. Otherwise the probe is taken as linear, the rectangle being the rows and columns that are
  /// mostly inside the region. Sides are fitted robustly (best of many two-point lines), so depth-scale
  /// ticks or a frame edge cutting the sector off do not bend them.
  static func estimate(from region: ImageMask) -> ScanGeometry? {
    let (w, h) = (region.width, region.height)
    var rows: [Int] = []
    var left: [Int: Int] = [:]
    var right: [Int: Int] = [:]
    for y in 0..<h {
      var first = -1
      var last = -1
      var count = 0
      for x in 0..<w where region[x, y] {
        if first < 0 { first = x }
        last = x
        count += 1
      }
      guard count > 3 else { continue }
      rows.append(y)
      left[y] = first
      right[y] = last
    }
    guard rows.count >= 8 else { return nil }
    if let l = fitSide(rows: rows, edge: left, inside: { $0 > 1 }),
      let r = fitSide(rows: rows, edge: right, inside: { $0 < w - 2 }),
      l.slope < -0.15, r.slope > 0.15
    {
      // x = a + b y on each side; the apex is where the two lines meet.
      let apexY = (r.intercept - l.intercept) / (l.slope - r.slope)
      let apexX = l.intercept + l.slope * apexY
      var radii: [Double] = []
      for y in 0..<h {
        for x in 0..<w where region[x, y] {
          radii.append(
            ((Double(x) - apexX) * (Double(x) - apexX) + (Double(y) - apexY) * (Double(y) - apexY))
              .squareRoot())
        }
      }
      let inner = Stats.quantile(radii, 0.002)
      let outer = Stats.quantile(radii, 0.999)
      let from = atan(l.slope)
      let to = atan(r.slope)
      guard outer - inner > 8 else { return nil }
      let beams = max(32, Int(((inner + outer) / 2 * (to - from)).rounded()))
      return ScanGeometry(
        width: w, height: h,
        shape: .sector(apexX: apexX, apexY: apexY, inner: inner, outer: outer, from: from, to: to),
        beams: beams, samples: Int((outer - inner).rounded()))
    }
    // A rectangle: columns and rows at least half as full as the fullest.
    var columnCounts = [Int](repeating: 0, count: w)
    var rowCounts = [Int](repeating: 0, count: h)
    for y in 0..<h {
      for x in 0..<w where region[x, y] {
        columnCounts[x] += 1
        rowCounts[y] += 1
      }
    }
    let columnLimit = (columnCounts.max() ?? 0) / 2
    let rowLimit = (rowCounts.max() ?? 0) / 2
    guard let x0 = columnCounts.firstIndex(where: { $0 > columnLimit }),
      let x1 = columnCounts.lastIndex(where: { $0 > columnLimit }),
      let y0 = rowCounts.firstIndex(where: { $0 > rowLimit }),
      let y1 = rowCounts.lastIndex(where: { $0 > rowLimit }),
      x1 - x0 >= 8, y1 - y0 >= 8
    else { return nil }
    let rect = PixelRect(x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1)
    return ScanGeometry(width: w, height: h, shape: .rectangle(rect), beams: rect.width, samples: rect.height)
  }

  /// The line `x = intercept + slope * y` through most edge points that lie inside the frame, or nil
  /// when too few points agree.
  static func fitSide(rows: [Int], edge: [Int: Int], inside: (Int) -> Bool) -> (
    intercept: Double, slope: Double
  )? {
    let points = rows.compactMap { y in edge[y].flatMap { inside($0) ? (y, $0) : nil } }
    let ys = points.map { Double($0.0) }
    let xs = points.map { Double($0.1) }
    guard ys.count >= max(10, rows.count * 15 / 100), let firstY = ys.first, let lastY = ys.last else {
      return nil
    }
    let picks = (0..<min(30, ys.count)).map { $0 * (ys.count - 1) / max(1, min(30, ys.count) - 1) }
    let span = lastY - firstY
    var best: (count: Int, a: Double, b: Double) = (0, 0, 0)
    for i in picks {
      for j in picks where ys[j] - ys[i] >= 0.2 * span {
        let b = (xs[j] - xs[i]) / (ys[j] - ys[i])
        let a = xs[i] - b * ys[i]
        var count = 0
        for k in ys.indices where abs(xs[k] - (a + b * ys[k])) < 2 { count += 1 }
        if count > best.count { best = (count, a, b) }
      }
    }
    guard best.count >= max(10, rows.count / 10) else { return nil }
    // Least squares on the agreeing points.
    var (n, sy, sx, syy, sxy) = (0.0, 0.0, 0.0, 0.0, 0.0)
    for k in ys.indices where abs(xs[k] - (best.a + best.b * ys[k])) < 2 {
      n += 1
      sy += ys[k]
      sx += xs[k]
      syy += ys[k] * ys[k]
      sxy += ys[k] * xs[k]
    }
    let denominator = n * syy - sy * sy
    guard denominator != 0 else { return (best.a, best.b) }
    let slope = (n * sxy - sy * sx) / denominator
    return ((sx - slope * sy) / n, slope)
  }

  /// `plane` (in frame pixels) resampled into beam space: `beams x samples`, NaN where the frame has
  /// no data.
  func resample(_ plane: Plane) -> Plane {
    var out = Plane(width: beams, height: samples)
    for v in 0..<samples {
      for u in 0..<beams {
        let (x, y) = point(beam: Double(u), sample: Double(v))
        if case .rectangle = shape {
          let (ix, iy) = (Int(x.rounded()), Int(y.rounded()))
          if ix >= 0, iy >= 0, ix < width, iy < height { out[u, v] = plane[ix, iy] }
        } else {
          out[u, v] = plane.sample(x: x, y: y)
        }
      }
    }
    return out
  }
}
