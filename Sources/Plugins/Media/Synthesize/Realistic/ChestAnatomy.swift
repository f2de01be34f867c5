import Foundation
import Platform
import Primitives

/// What lies under a realistic synthetic video's probe, in beam space (beams left to right, samples
/// from the transducer face down): skin, fat and muscle with fascia lines; ribs whose bright arcs cast
/// acoustic shadows; the pleural line at a varied depth, slightly tilted and curved; B-lines; and the
/// depth where the echo signal fades into noise. Everything is drawn from the seed.
struct ChestAnatomy: Sendable {
  struct Rib: Sendable {
    /// Centre and half-width in beams; the rib may lie partly outside the scan.
    var center: Double
    var halfWidth: Double
    /// Top of the bright arc at the rib's centre, in samples.
    var top: Double
    /// How much higher the arc's middle is than its ends.
    var arc: Double
    var thickness: Double

    func surface(atBeam u: Double) -> Double? {
      let d = (u - center) / halfWidth
      guard abs(d) <= 1 else { return nil }
      return top + arc * d * d
    }
  }

  /// A brightness that varies slowly along a line (fascia and pleura are brighter in places, fainter in
  /// others): three waves across the scan, mapped into `floor...1`.
  struct LateralProfile: Sendable {
    var waves: [(period: Double, phase: Double)]
    var floor: Double

    init(beams: Int, floor: Double, generator: inout SeededGenerator) {
      waves = (0..<3).map { _ in
        (Double(beams) * generator.uniform(0.12...0.7), generator.uniform(0...(2 * Double.pi)))
      }
      self.floor = floor
    }

    func value(at u: Double) -> Double {
      let sum = waves.reduce(0) { $0 + sin(2 * Double.pi * u / $1.period + $1.phase) } / 3
      return floor + (1 - floor) * (0.5 + 0.5 * max(-1, min(1, 1.6 * sum)))
    }
  }

  struct BLine: Sendable {
    var beam: Double
    var halfWidth: Double
    var strength: Double
  }

  let beams: Int
  let samples: Int
  let skinEnd: Double
  let fatEnd: Double
  /// Depths of bright fascia lines in the chest wall (at the centre beam), their brightness and how it
  /// varies along them.
  let fascia: [(depth: Double, brightness: Double, profile: LateralProfile)]
  /// How much the chest-wall layers follow the pleura's tilt (0...1), and their undulation.
  let layerTilt: Double
  let undulation: (amplitude: Double, period: Double, phase: Double)
  let pleuraCenter: Double
  /// Change of the pleura's depth per beam, and its sag at the scan's edges (samples).
  let tilt: Double
  let curvature: Double
  let pleuraHalfThickness: Double
  let pleuraBrightness: Double
  let pleuraProfile: LateralProfile
  /// Share of the echo that still comes back from under a rib (0 black shadow ... 0.6 faint one).
  let shadowResidual: Double
  /// First A-line's brightness relative to the pleura, and the factor each next one keeps.
  let aLineStrength: Double
  let aLineDecay: Double
  /// Brightness of the lung's moving speckle.
  let lungTexture: Double
  let ribs: [Rib]
  /// The intercostal window the true ROI spans, in beams.
  let window: ClosedRange<Double>
  let bLines: [BLine]
  /// Sample where the echo signal has faded to half, and the width of that fade.
  let signalEnd: Double
  let signalFade: Double
  let lungLevel: Double
  let muscleLevel: Double
  let fatLevel: Double

  /// Depth of the pleural line's centre under beam `u`.
  func pleura(atBeam u: Double) -> Double {
    let d = (u - Double(beams - 1) / 2) / Double(max(1, beams - 1)) * 2
    return pleuraCenter + tilt * (u - Double(beams - 1) / 2) + curvature * d * d
  }

  /// Depth under beam `u` of a chest-wall boundary lying at `depth` under the centre beam.
  func layer(_ depth: Double, atBeam u: Double) -> Double {
    let offset = pleura(atBeam: u) - pleuraCenter
    let wave = undulation.amplitude * sin(2 * Double.pi * u / undulation.period + undulation.phase)
    return depth + layerTilt * offset * depth / pleuraCenter + wave * depth / pleuraCenter
  }

  /// The rib covering beam `u`, if any.
  func rib(atBeam u: Double) -> Rib? { ribs.first { abs(u - $0.center) <= $0.halfWidth } }

  init(geometry: ScanGeometry, convex: Bool, sliding: LungSliding, generator: inout SeededGenerator) {
    beams = geometry.beams
    samples = geometry.samples
    let s = Double(samples)
    let b = Double(beams)
    let pleuraCenter = s * (convex ? generator.uniform(0.1...0.3) : generator.uniform(0.16...0.48))
    let pleuraHalfThickness = max(1.2, s * generator.uniform(0.004...0.009))
    let pleuraBrightness = generator.uniform(150...235)
    // The pleura's depth changes by at most ~12 % of its lateral run, and sags or bulges a little.
    let pleuraSpacing = geometry.beamSpacing(atSample: pleuraCenter)
    let tilt = generator.uniform(-0.12...0.12) * pleuraSpacing
    let curvature = s * generator.uniform(-0.03...0.03)
    let middleBeam = (b - 1) / 2
    func pleura(atBeam u: Double) -> Double {
      let d = (u - middleBeam) / max(1, b - 1) * 2
      return pleuraCenter + tilt * (u - middleBeam) + curvature * d * d
    }
    self.pleuraCenter = pleuraCenter
    self.pleuraHalfThickness = pleuraHalfThickness
    self.pleuraBrightness = pleuraBrightness
    self.tilt = tilt
    self.curvature = curvature

    skinEnd = max(2, pleuraCenter * generator.uniform(0.04...0.09))
    fatEnd = skinEnd + (pleuraCenter - skinEnd) * generator.uniform(0.12...0.45)
    let muscleEnd = pleuraCenter - max(3, pleuraCenter * generator.uniform(0.04...0.12))
    var lines: [(Double, Double)] = [(fatEnd, generator.uniform(60...140))]
    for _ in 0..<Int(generator.uniform(1...4.99)) {
      lines.append((generator.uniform(fatEnd...muscleEnd), generator.uniform(40...130)))
    }
    // Often one fascia line as bright as the pleura itself, above the ribs: the line a naive search takes
    // for the pleura.
    if generator.unit() < 0.55 {
      let low = fatEnd + 0.2 * (muscleEnd - fatEnd)
      lines.append(
        (
          generator.uniform(low...max(low, min(muscleEnd, pleuraCenter * 0.75))),
          pleuraBrightness * generator.uniform(0.7...1.1)
        ))
    }
    fascia = lines.map {
      (
        $0.0, $0.1,
        LateralProfile(beams: geometry.beams, floor: generator.uniform(0.1...0.7), generator: &generator)
      )
    }
    pleuraProfile = LateralProfile(
      beams: geometry.beams, floor: generator.uniform(0.45...0.85), generator: &generator)
    shadowResidual = generator.unit() < 0.3 ? generator.uniform(0.02...0.15) : generator.uniform(0.15...0.75)
    aLineStrength = generator.uniform(0.12...0.5)
    aLineDecay = generator.uniform(0.35...0.7)
    lungTexture = generator.uniform(80...140)
    layerTilt = generator.uniform(0...0.6)
    undulation = (
      s * generator.uniform(0...0.012), b * generator.uniform(0.4...1.5),
      generator.uniform(0...(2 * Double.pi))
    )
    muscleLevel = generator.uniform(60...100)
    fatLevel = generator.uniform(25...55)
    lungLevel = generator.uniform(14...55)

    // Ribs: a linear probe sees the intercostal space with a rib at each side (or not: the probe may sit
    // between them); a convex probe sees a narrower space at the centre with ribs and further spaces beside.
    var ribs: [Rib] = []
    let span = b - 1
    func rib(center: Double, halfWidth: Double) -> Rib {
      let lift = pleuraCenter * generator.uniform(0.05...0.22) + pleuraHalfThickness
      let arc = s * generator.uniform(0.008...0.03)
      return Rib(
        center: center, halfWidth: halfWidth, top: pleura(atBeam: center) - lift - arc, arc: arc,
        thickness: max(2, s * generator.uniform(0.006...0.014)))
    }
    var window = 0...span
    if convex {
      // At least 15 % of the frame's width: narrower spaces show too little lung to cut cubes from.
      let least = 0.15 * Double(geometry.width) / geometry.beamSpacing(atSample: pleuraCenter)
      let width = min(0.6 * span, max(least, span * generator.uniform(0.22...0.42)))
      let middle = span / 2 + span * generator.uniform(-0.08...0.08)
      let left = middle - width / 2
      let right = middle + width / 2
      let half = span * generator.uniform(0.05...0.1)
      ribs.append(rib(center: left - half, halfWidth: half))
      ribs.append(rib(center: right + half, halfWidth: half))
      // Further ribs beyond the neighbouring spaces, when the fan is wide enough to show them.
      let outerLeft = left - 2 * half - width * generator.uniform(0.8...1.1)
      if outerLeft - half > -half { ribs.append(rib(center: outerLeft - half, halfWidth: half)) }
      let outerRight = right + 2 * half + width * generator.uniform(0.8...1.1)
      if outerRight + half < span + half { ribs.append(rib(center: outerRight + half, halfWidth: half)) }
      window = left...right
    } else {
      let draw = generator.unit()
      var left = 0.0
      var right = span
      if draw > 0.1 {
        left = span * generator.uniform(0.05...0.3)
        let half = span * generator.uniform(0.07...0.15)
        ribs.append(rib(center: left - half, halfWidth: half))
      }
      if draw < 0.2 || draw > 0.3 {
        right = span * generator.uniform(0.7...0.95)
        let half = span * generator.uniform(0.07...0.15)
        ribs.append(rib(center: right + half, halfWidth: half))
      }
      window = left...right
    }
    self.ribs = ribs
    self.window = window

    var bLines: [BLine] = []
    // B-lines arise at a pleura that touches the lung, so a lung that does not slide (a pneumothorax)
    // shows none.
    let draw = Int(generator.uniform(0...3.99) * generator.unit())
    let count = sliding == .present ? draw : 0
    for _ in 0..<count {
      bLines.append(
        BLine(
          beam: generator.uniform(window),
          halfWidth: max(1, (window.upperBound - window.lowerBound) * generator.uniform(0.015...0.04)),
          strength: generator.uniform(50...130)))
    }
    self.bLines = bLines

    let deepest = pleuraCenter + abs(tilt) * span / 2 + abs(curvature)
    let shallowestEnd = min(s * 0.98, deepest + s * 0.3)
    signalEnd =
      generator.unit() < 0.35 ? s * 1.2 : generator.uniform(shallowestEnd...max(shallowestEnd, s * 0.95))
    signalFade = s * generator.uniform(0.02...0.05)
  }
}
