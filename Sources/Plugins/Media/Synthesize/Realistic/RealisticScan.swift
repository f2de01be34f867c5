import Foundation
import Platform
import Primitives

/// Everything a realistic synthetic video is made of: the probe's geometry, the anatomy under it, the
/// precomputed beam-space layers, the motion, the scan-conversion table and the burned-in overlay;
/// with the truth it implies (the pleural ROI and the region that carries echo data).
struct RealisticScan: Sendable {
  static let noisePad = 32

  let geometry: ScanGeometry
  let anatomy: ChestAnatomy
  let scene: BeamScene
  let motion: ScanMotion
  let overlay: BurnedInOverlay
  let validRegion: ImageMask
  /// Per frame pixel: beam and sample position in 1/256 (or -1 outside the scan).
  let beamQ8: [Int32]
  let sampleQ8: [Int32]
  /// Electronic noise, `(width + noisePad) x (height + noisePad)`, read at a random offset each frame,
  /// over a dim constant floor.
  let noise: [Int16]
  let floor: Int32
  let roi: PixelRect
  let pleuraY: Int
  let depthCm: Double

  init(parameters: SyntheticLungVideo.Parameters, generator: inout SeededGenerator) {
    let (width, height) = (parameters.width, parameters.height)
    let convex: Bool
    switch parameters.probe {
    case .linear: convex = false
    case .convex: convex = true
    case nil: convex = generator.unit() < 0.5
    }
    geometry =
      convex
      ? ScanGeometry.convex(width: width, height: height, generator: &generator)
      : ScanGeometry.linear(width: width, height: height, generator: &generator)
    depthCm = convex ? generator.uniform(9...18) : generator.uniform(3.5...8)
    anatomy = ChestAnatomy(
      geometry: geometry, convex: convex, sliding: parameters.sliding, generator: &generator)
    let gain = parameters.patient.gain * generator.uniform(0.85...1.15)
    scene = BeamScene(anatomy: anatomy, geometry: geometry, gain: gain, generator: &generator)
    motion = ScanMotion(
      parameters: parameters, geometry: geometry, pleuraDepth: anatomy.pleuraCenter, generator: &generator)
    validRegion = geometry.mask()
    overlay = BurnedInOverlay(geometry: geometry, mask: validRegion, depthCm: depthCm, generator: &generator)

    var beamQ8 = [Int32](repeating: -1, count: width * height)
    var sampleQ8 = [Int32](repeating: -1, count: width * height)
    for y in 0..<height {
      for x in 0..<width {
        guard let (u, v) = geometry.beamSpace(x: Double(x), y: Double(y)) else { continue }
        beamQ8[y * width + x] = Int32((u * 256).rounded())
        sampleQ8[y * width + x] = Int32((v * 256).rounded())
      }
    }
    self.beamQ8 = beamQ8
    self.sampleQ8 = sampleQ8
    // Real scanners' noise survives compression; the classic amplitude alone would not, at its low end.
    let amplitude = parameters.patient.noise + 1.5
    noise = (0..<((width + Self.noisePad) * (height + Self.noisePad))).map { _ in
      Int16((generator.uniform(-1...1) * amplitude).rounded())
    }
    floor = Int32(generator.uniform(3...12).rounded())
    (roi, pleuraY) = Self.truth(anatomy: anatomy, geometry: geometry)
  }

  /// The true ROI: the intercostal window at the pleura's depth, from just above the pleural line's
  /// highest point to where the echo signal ends (or the scan does), kept inside the scan.
  static func truth(anatomy: ChestAnatomy, geometry: ScanGeometry) -> (PixelRect, Int) {
    let window = anatomy.window
    let steps = max(2, Int(window.upperBound - window.lowerBound))
    var top = Double.infinity
    for step in 0...steps {
      let u = window.lowerBound + (window.upperBound - window.lowerBound) * Double(step) / Double(steps)
      top = min(
        top, geometry.point(beam: u, sample: anatomy.pleura(atBeam: u) - anatomy.pleuraHalfThickness).y)
    }
    let margin = Double(max(4, geometry.height / 40))
    let pleuraDepth = anatomy.pleura(atBeam: (window.lowerBound + window.upperBound) / 2)
    let left = geometry.point(beam: window.lowerBound, sample: pleuraDepth).x
    let right = geometry.point(beam: window.upperBound, sample: pleuraDepth).x
    let end = min(Double(geometry.samples - 1), anatomy.signalEnd)
    let bottom = min(
      geometry.point(beam: window.lowerBound, sample: end).y,
      geometry.point(beam: window.upperBound, sample: end).y)
    let x0 = max(0, Int(left.rounded(.up)))
    let x1 = min(geometry.width, Int(right.rounded(.down)) + 1)
    let y0 = max(0, Int((top - margin).rounded()))
    let y1 = min(geometry.height, Int(bottom.rounded()) + 1)
    let middle = (window.lowerBound + window.upperBound) / 2
    let pleuraY = Int(geometry.point(beam: middle, sample: anatomy.pleura(atBeam: middle)).y.rounded())
    return (PixelRect(x: x0, y: y0, width: max(1, x1 - x0), height: max(1, y1 - y0)), pleuraY)
  }
}
