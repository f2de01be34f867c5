import Foundation
import Primitives

/// A clip seen in beam space (beams across, depth down; a linear probe's columns and rows, a convex
/// probe's scan lines unrolled): its mean image with overlays and the surround masked out, that image
/// normalised per row (so that depth attenuation does not count as shadow), and its ridge map (how much
/// brighter each pixel is than the pixels `delta` above and below it: lines stand out).
struct BeamView: Sendable {
  let geometry: ScanGeometry
  let mean: Plane
  let normalized: Plane
  let ridge: Plane
  /// The normalised image lightly smoothed, and the ridge map's positive part.
  let smoothNormalized: Plane
  let positiveRidge: Plane
  /// Line half-spacing of the ridge detector: about 2 % of the depth, at least 3 samples.
  let delta: Int

  var beams: Int { geometry.beams }
  var samples: Int { geometry.samples }

  /// `black` is the picture's black level: brightness counts from it, so that ratios (shadow against
  /// lung) do not depend on whether the decoder gives black as 0 or as 16.
  init(geometry: ScanGeometry, mean frameMean: Plane, usable: ImageMask, black: Double) {
    self.geometry = geometry
    var masked = frameMean
    for i in masked.values.indices {
      masked.values[i] = usable.bits[i] ? max(0, masked.values[i] - black) : .nan
    }
    mean = geometry.resample(masked)
    let rowLevel = mean.boxBlurred(1, 3).rowQuantiles(0.75)
    var normalized = mean
    for v in 0..<mean.height {
      for u in 0..<mean.width { normalized[u, v] = mean[u, v] / rowLevel[v] }
    }
    self.normalized = normalized
    delta = max(3, Int((0.02 * Double(geometry.samples)).rounded()))
    ridge = Self.ridges(of: mean, delta: delta)
    smoothNormalized = normalized.boxBlurred(2, 1)
    var positive = ridge
    for i in positive.values.indices where !positive.values[i].isNaN {
      positive.values[i] = max(0, positive.values[i])
    }
    positiveRidge = positive
  }

  static func ridges(of mean: Plane, delta: Int) -> Plane {
    let smooth = mean.boxBlurred(2, 1)
    var ridge = Plane(width: mean.width, height: mean.height)
    for v in delta..<max(delta, mean.height - delta) {
      for u in 0..<mean.width {
        ridge[u, v] = smooth[u, v] - 0.5 * (smooth[u, v - delta] + smooth[u, v + delta])
      }
    }
    return ridge
  }

  /// Per beam, the mean of `plane` over rows `line + lo ..< line + hi` (NaN where less than half of
  /// them has data).
  func along(_ plane: Plane, _ line: CandidateLine, from lo: Double, to hi: Double) -> [Double] {
    (0..<beams).map { u in
      let v = line.row(atBeam: Double(u))
      let a = max(0, Int((v + lo).rounded()))
      let b = min(samples, Int((v + hi).rounded()))
      guard b - a >= 1 else { return .nan }
      var sum = 0.0
      var n = 0
      for row in a..<b where !plane[u, row].isNaN {
        sum += plane[u, row]
        n += 1
      }
      return n > 0 && Double(n) >= 0.5 * Double(b - a) ? sum / Double(n) : .nan
    }
  }
}

/// A candidate pleural line in beam space: a depth `offset` at the middle beam, a tilt (samples per
/// beam) and a bend (samples at the outer beams).
struct CandidateLine: Sendable, Equatable {
  var offset: Double
  var tilt: Double
  var bend: Double
  var middle: Double
  var half: Double

  func row(atBeam u: Double) -> Double {
    let d = (u - middle) / half
    return offset + tilt * (u - middle) + bend * d * d
  }
}
