import Foundation
import Platform
import Primitives

/// Where a probe's echo data lands in the frame. Echoes are composed in *beam space* (`beams` scan
/// lines left to right, `samples` depth samples from the transducer face down) and scan-converted
/// into the frame: a linear probe's beams are the columns of a rectangle; a convex probe's fan out
/// from an apex above the picture, so the picture is an annular sector with black around it and its
/// lateral resolution falls with depth (the scan lines spread apart).
struct ScanGeometry: Sendable, Equatable {
  enum Shape: Sendable, Equatable {
    /// Beam `u` is column `rect.x + u`, sample `v` is row `rect.y + v`.
    case rectangle(PixelRect)
    /// Beams at angles `from...to` (radians, from the vertical through the apex, positive to the right),
    /// samples at radii inner...outer from it.
    case sector(apexX: Double, apexY: Double, inner: Double, outer: Double, from: Double, to: Double)
  }

  let width: Int
  let height: Int
  let shape: Shape
  let beams: Int
  let samples: Int

  var isConvex: Bool { if case .sector = shape { true } else { false } }

  /// Frame position of beam-space point (u, v).
  func point(beam u: Double, sample v: Double) -> (x: Double, y: Double) {
    switch shape {
    case .rectangle(let rect):
      return (Double(rect.x) + u, Double(rect.y) + v)
    case .sector(let ax, let ay, let inner, let outer, let from, let to):
      let angle = from + (to - from) * u / Double(max(1, beams - 1))
      let radius = inner + (outer - inner) * v / Double(max(1, samples - 1))
      return (ax + radius * sin(angle), ay + radius * cos(angle))
    }
  }

  /// Beam-space position of frame point (x, y), or nil when no beam reaches it.
  func beamSpace(x: Double, y: Double) -> (u: Double, v: Double)? {
    let (u, v): (Double, Double)
    switch shape {
    case .rectangle(let rect):
      (u, v) = (x - Double(rect.x), y - Double(rect.y))
    case .sector(let ax, let ay, let inner, let outer, let from, let to):
      let radius = ((x - ax) * (x - ax) + (y - ay) * (y - ay)).squareRoot()
      let angle = atan2(x - ax, y - ay)
      u = (angle - from) / (to - from) * Double(beams - 1)
      v = (radius - inner) / (outer - inner) * Double(samples - 1)
    }
    guard u >= 0, u <= Double(beams - 1), v >= 0, v <= Double(samples - 1) else { return nil }
    return (u, v)
  }

  /// Frame pixels that carry echo data.
  func mask() -> ImageMask {
    var mask = ImageMask(width: width, height: height, filled: false)
    for y in 0..<height {
      for x in 0..<width where beamSpace(x: Double(x), y: Double(y)) != nil { mask[x, y] = true }
    }
    return mask
  }

  /// Lateral size in frame pixels of one beam step at sample `v` (1 for a linear probe).
  func beamSpacing(atSample v: Double) -> Double {
    guard case .sector(_, _, let inner, let outer, let from, let to) = shape else { return 1 }
    let radius = inner + (outer - inner) * v / Double(max(1, samples - 1))
    return radius * (to - from) / Double(max(1, beams - 1))
  }
}
