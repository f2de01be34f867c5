import Foundation
import Platform
import Primitives

extension ScanGeometry {
  /// A linear probe: a rectangle of echo data with black margins (for the scanner's text).
  static func linear(width: Int, height: Int, generator: inout SeededGenerator) -> ScanGeometry {
    let regionWidth = Int((Double(width) * generator.uniform(0.6...0.96)).rounded())
    let top = Int((Double(height) * generator.uniform(0...0.12)).rounded())
    let bottom = Int((Double(height) * generator.uniform(0...0.06)).rounded())
    let left =
      (width - regionWidth) / 2 + Int((Double(width - regionWidth) * generator.uniform(-0.3...0.3)) / 2)
    let rect = PixelRect(x: max(0, left), y: top, width: regionWidth, height: height - top - bottom)
    return ScanGeometry(
      width: width, height: height, shape: .rectangle(rect), beams: rect.width, samples: rect.height)
  }

  /// A convex probe: the face's arc touches the top of the picture area; the fan may reach past the
  /// frame's sides (it is then cut off there, as scanners show deep sectors).
  static func convex(width: Int, height: Int, generator: inout SeededGenerator) -> ScanGeometry {
    let h = Double(height)
    let top = h * generator.uniform(0...0.1)
    let depth = h * generator.uniform(0.84...0.97) - top
    let inner = depth * generator.uniform(0.25...0.6)
    let halfAngle = generator.uniform(25...38) * Double.pi / 180
    let apexX = Double(width) / 2 + Double(width) * generator.uniform(-0.03...0.03)
    let apexY = top - inner
    let outer = inner + depth
    let arc = outer * 2 * halfAngle
    // Scanners fire 96-256 lines; at depth they lie several pixels apart (the fan's visible lines).
    let beams = max(48, min(256, Int((arc / generator.uniform(2.5...5)).rounded())))
    return ScanGeometry(
      width: width, height: height,
      shape: .sector(apexX: apexX, apexY: apexY, inner: inner, outer: outer, from: -halfAngle, to: halfAngle),
      beams: beams, samples: Int(depth.rounded()))
  }
}
