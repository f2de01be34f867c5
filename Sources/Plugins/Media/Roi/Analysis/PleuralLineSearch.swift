import Foundation
import Primitives

/// Finds the pleural line in a beam view.
///
/// Every bright, laterally extended line is a candidate (searched over depth, tilt and a slight bend).
/// Each is then judged as if it were the pleura:
/// - the rib shadows it implies: columns dark in the band just below it are a rib's shadow when a bright
///   arc caps them from above and the line itself is hidden there about as much as the lung (a
///   hypoechoic patch below a visible pleura is not a shadow); the window is the open stretch between
///   such shadows;
/// - the pleura lies below the layered chest wall: many lines above it, few below (only A-lines);
/// - ribs lie above the pleura: shadows that begin well below a line say that the line is above them
///   (a fascia line in the chest wall).
/// The best-scoring candidate is the pleura.
struct PleuralLineSearch: Sendable {
  struct Judged: Sendable {
    var line: CandidateLine
    /// Mean ridge contrast along the line over its window, in grey levels.
    var contrast: Double
    var window: Range<Int>
    var ribs: [Range<Int>]
    var layeredAbove: Double
    var layeredBelow: Double
    var ribsBelow: Bool
    var score: Double

    /// Whether a rib shadow bounds the window on each side.
    var boundedSides: (left: Bool, right: Bool) {
      (
        ribs.contains { $0.upperBound == window.lowerBound },
        ribs.contains { $0.lowerBound == window.upperBound }
      )
    }
  }

  static let shadowLevel = 0.8
  static let capLevel = 0.9
  static let strongCap = 1.15
  static let strongShade = 0.72
  static let hiddenSlack = 0.25

  let view: BeamView

  /// The candidates, best first.
  func judgedCandidates() -> [Judged] {
    candidates().compactMap(judge).sorted { $0.score > $1.score }
  }

  /// The ten strongest lines of distinct depths.
  func candidates() -> [CandidateLine] {
    let (beams, samples, delta) = (view.beams, view.samples, view.delta)
    let middle = Double(beams - 1) / 2
    let half = max(1, Double(beams) / 2)
    var found: [(mean: Double, line: CandidateLine)] = []
    for step in 0..<13 {
      let tilt = -0.3 + 0.05 * Double(step)
      for bendFraction in [-0.04, -0.02, 0, 0.02, 0.04] {
        let shape = CandidateLine(
          offset: 0, tilt: tilt, bend: bendFraction * Double(samples), middle: middle, half: half)
        let rounded = (0..<beams).map { Int(shape.row(atBeam: Double($0)).rounded()) }
        for offset in delta..<max(delta, samples - delta) {
          var sum = 0.0
          var n = 0
          var inside = 0
          for u in 0..<beams {
            let v = offset + rounded[u]
            guard v >= delta, v < samples - delta else { continue }
            inside += 1
            let r = view.ridge[u, v]
            if !r.isNaN {
              sum += r
              n += 1
            }
          }
          guard Double(inside) >= 0.8 * Double(beams), Double(n) >= 0.5 * Double(beams) else { continue }
          var line = shape
          line.offset = Double(offset)
          found.append((sum / Double(n), line))
        }
      }
    }
    found.sort { $0.mean > $1.mean }
    var kept: [CandidateLine] = []
    for (mean, line) in found {
      guard mean > 0 else { break }
      if kept.contains(where: { abs($0.offset - line.offset) < 2 * Double(delta) }) { continue }
      kept.append(line)
      if kept.count >= 10 { break }
    }
    return kept
  }

  /// `line` judged as the pleura, or nil when it leaves no window to judge it in.
  func judge(_ line: CandidateLine) -> Judged? {
    let (beams, samples) = (view.beams, view.samples)
    let delta = Double(view.delta)
    let d = Double(samples)
    // The line's lower half: under a rib it is in the shadow, even where the rib's own bright surface
    // lies at the line's depth; over a dark patch of lung it is as bright as elsewhere.
    let bright = view.along(view.normalized, line, from: 1, to: max(2, delta / 2 + 1))
    let below = Stats.smoothed(Self.lungBelow(view: view, line: line), radius: 1)
    let reference = Stats.quantile(below, 0.75)
    guard !reference.isNaN, reference > 0 else { return nil }
    let dark = below.map { !$0.isNaN && $0 < Self.shadowLevel * reference }
    let capped = Self.caps(view: view, line: line)
    let openBright = Stats.median(zip(bright, dark).filter { !$0.1 }.map(\.0))
    var ribs: [Range<Int>] = []
    for run in Stats.runs(dark) where Double(run.count) >= max(2, 0.02 * Double(beams)) {
      let cap = Stats.median(Array(capped[run]))
      let hidden = Stats.median(Array(bright[run])) / openBright
      let shade = Stats.median(Array(below[run])) / reference
      let wide = Double(run.count) >= max(8, 0.05 * Double(beams))
      if cap >= Self.capLevel,
        hidden <= shade + Self.hiddenSlack || (cap >= Self.strongCap && wide && shade <= Self.strongShade)
      {
        ribs.append(run)
      }
    }
    var open = below.map { !$0.isNaN }
    for rib in ribs { for u in rib { open[u] = false } }
    let middle = line.middle
    let windows = Stats.runs(open).filter { Double($0.count) >= max(4, 0.06 * Double(beams)) }
    guard
      let window = windows.max(by: {
        Self.windowValue($0, beams: beams, middle: middle)
          < Self.windowValue($1, beams: beams, middle: middle)
      })
    else { return nil }

    var sum = 0.0
    var n = 0
    for u in window {
      let v = Int(line.row(atBeam: Double(u)).rounded())
      guard v >= 0, v < samples, !view.ridge[u, v].isNaN else { continue }
      sum += view.ridge[u, v]
      n += 1
    }
    guard Double(n) >= 0.5 * Double(window.count) else { return nil }
    let contrast = sum / Double(n)
    let positive = view.positiveRidge
    let layeredBelow = Stats.mean(
      Array(view.along(positive, line, from: 2 * delta, to: 2 * delta + max(10, 0.15 * d))[window]))
    let layeredAbove = Stats.mean(
      Array(view.along(positive, line, from: -2 * delta - max(8, 0.5 * line.offset), to: -2 * delta)[window]))
    let ribsBelow = Self.shadowsBeginBelow(view: view, line: line, near: below, nearReference: reference)
    var judged = Judged(
      line: line, contrast: contrast, window: window, ribs: ribs, layeredAbove: layeredAbove,
      layeredBelow: layeredBelow, ribsBelow: ribsBelow, score: 0)
    judged.score = Self.score(judged, samples: samples)
    return judged
  }

  /// Many lines above, few below, strong; never at the very top; penalised when ribs lie below it.
  static func score(_ j: Judged, samples: Int) -> Double {
    guard j.contrast > 0, j.line.offset >= 0.06 * Double(samples) else { return 0 }
    let above = j.layeredAbove.isNaN ? 0 : j.layeredAbove
    let below = j.layeredBelow.isNaN ? 0 : j.layeredBelow
    let ratio = above / max(below, 0.05 * j.contrast, 0.3)
    var score = j.contrast * pow(min(max(ratio, 0.2), 10), 0.7)
    if j.ribsBelow { score *= 0.35 }
    return score
  }

  static func windowValue(_ run: Range<Int>, beams: Int, middle: Double) -> Double {
    let centre = Double(run.lowerBound + run.upperBound) / 2
    let half = Double(beams) / 2
    let contains = Double(run.lowerBound) <= middle && middle < Double(run.upperBound)
    return Double(run.count) * (1 - 0.6 * abs(centre - half) / half) * (contains ? 1.5 : 1)
  }

  /// Per beam, the brightest (smoothed, row-normalised) point in the band above the line where a rib's
  /// arc would be, from half the line's depth above it down to `clearance` samples above it: by
  /// default the line itself included (a rib's surface can lie at the pleura's depth).
  static func caps(
    view: BeamView, line: CandidateLine, clearance: Double = -1, beams: Range<Int>? = nil
  ) -> [Double] {
    let smooth = view.smoothNormalized
    return (beams ?? 0..<view.beams).map { u in
      let v = line.row(atBeam: Double(u))
      let a = max(0, Int((v - max(8, 0.5 * v)).rounded()))
      let b = max(0, min(view.samples, Int((v - clearance).rounded())))
      var best = -Double.infinity
      if a < b { for row in a..<b where !smooth[u, row].isNaN { best = max(best, smooth[u, row]) } }
      return best == -Double.infinity ? .nan : best
    }
  }

  /// Per beam, the echo of the lung just below the line (row-normalised, from two ridge spacings
  /// below it): dark under a rib's shadow.
  static func lungBelow(view: BeamView, line: CandidateLine) -> [Double] {
    let delta = Double(view.delta)
    return view.along(
      view.normalized, line, from: 2 * delta, to: 2 * delta + max(10, 0.25 * Double(view.samples)))
  }

  /// Whether a stretch of beams is dark deep below the line but not just below it: a shadow that begins
  /// there, cast by a rib below the line.
  static func shadowsBeginBelow(view: BeamView, line: CandidateLine, near: [Double], nearReference: Double)
    -> Bool
  {
    let delta = Double(view.delta)
    let d = Double(view.samples)
    let deep = Stats.smoothed(
      view.along(
        view.normalized, line, from: 2 * delta + max(10, 0.25 * d), to: 2 * delta + max(30, 0.75 * d)),
      radius: 1)
    let reference = Stats.quantile(deep, 0.75)
    guard !reference.isNaN, reference > 0 else { return false }
    let later = (0..<view.beams).map { u in
      !deep[u].isNaN && !near[u].isNaN && deep[u] < shadowLevel * reference
        && near[u] / nearReference - deep[u] / reference > 0.15
    }
    return Stats.runs(later).contains { Double($0.count) >= max(3, 0.04 * Double(view.beams)) }
  }
}
