import Foundation
import Platform
import Primitives

/// The precomputed beam-space layers a realistic frame is composed of (rows are samples, columns
/// beams; all multiplied by gain, depth attenuation and the signal's fade):
/// - `still`: chest wall, rib arcs and shadows, the pleural line, A-lines and the lung's base level;
/// - `muscleDelta`: the difference between two muscle textures, cross-faded slowly (muscle moves);
/// - `textureA`/`textureB`: lung speckle below the pleura, `margin` beams wider on each side so that it
///   can slide; `lungGain` (Q8) scales it per pixel (0 above the pleura and in rib shadows);
/// - `bLines` (per beam, padded like the textures) and `bLineGain` (Q8): comet tails that slide with
///   the lung.
struct BeamScene: Sendable {
  static let margin = 24

  let beams: Int
  let samples: Int
  /// First sample row of the lung layers (just above the shallowest pleura).
  let lungTop: Int
  /// Rows 0..<muscleRows carry `muscleDelta`.
  let muscleRows: Int
  let still: [Int16]
  let muscleDelta: [Int16]
  let textureA: [Int16]
  let textureB: [Int16]
  let lungGain: [Int16]
  let bLines: [Int16]
  let bLineGain: [Int16]

  var textureWidth: Int { beams + 2 * Self.margin }

  init(anatomy: ChestAnatomy, geometry: ScanGeometry, gain: Double, generator: inout SeededGenerator) {
    beams = anatomy.beams
    samples = anatomy.samples
    let s = Double(samples)
    let convex = geometry.isConvex
    // Lateral speckle size grows with depth on a linear probe; a convex probe's beams spread apart
    // by themselves. Scanners and later compression differ in how fine the grain is.
    let grain = generator.uniform(0...1.5)
    let lateral: (Int) -> Int = { row in
      convex ? Int(1 + grain / 2) : Int(1 + grain + 3 * Double(row) / s)
    }
    let tissue = Speckle.field(width: beams, height: samples, lateralRadius: lateral, generator: &generator)
    let fibres = Speckle.field(
      width: beams, height: samples, lateralRadius: { lateral($0) * 3 + 2 }, generator: &generator)
    let fibresLater = Speckle.field(
      width: beams, height: samples, lateralRadius: { lateral($0) * 3 + 2 }, generator: &generator)

    var shallowest = s
    var deepestMuscle = 0.0
    for u in 0..<beams {
      shallowest = min(shallowest, anatomy.pleura(atBeam: Double(u)))
      deepestMuscle = max(deepestMuscle, anatomy.pleura(atBeam: Double(u)))
    }
    lungTop = max(0, Int(shallowest - 3 * anatomy.pleuraHalfThickness) - 1)
    muscleRows = min(samples, Int(deepestMuscle) + 1)
    let attenuation = generator.uniform(0.25...0.9)
    let envelope: [Double] = (0..<samples).map { v in
      let d = Double(v)
      let fade = 1 / (1 + exp((d - anatomy.signalEnd) / max(1, anatomy.signalFade / 4)))
      return gain * exp(-attenuation * d / s) * fade
    }
    let shadow = Self.shadowFactors(anatomy: anatomy)

    var still = [Double](repeating: 0, count: beams * samples)
    var delta = [Int16](repeating: 0, count: beams * muscleRows)
    var lungGain = [Int16](repeating: 0, count: beams * (samples - lungTop))
    var bLineGain = [Int16](repeating: 0, count: beams * (samples - lungTop))
    let sigma = anatomy.pleuraHalfThickness
    let septa = generator.uniform(0.3...0.8)
    for u in 0..<beams {
      let beam = Double(u)
      let pleura = anatomy.pleura(atBeam: beam)
      let skin = anatomy.layer(anatomy.skinEnd, atBeam: beam)
      let fat = anatomy.layer(anatomy.fatEnd, atBeam: beam)
      let lines = anatomy.fascia.map {
        (anatomy.layer($0.depth, atBeam: beam), $0.brightness * $0.profile.value(at: beam))
      }
      let pleuraBrightness = anatomy.pleuraBrightness * anatomy.pleuraProfile.value(at: beam)
      let rib = anatomy.rib(atBeam: beam)
      let ribSurface = rib?.surface(atBeam: beam)
      for v in 0..<samples {
        let d = Double(v)
        let i = v * beams + u
        var level: Double
        var speckled: Double
        if d < skin {
          level = 150
          speckled = level * (0.6 + 0.8 * tissue[i])
        } else if d < fat {
          level = anatomy.fatLevel
          speckled = level * (0.4 + 1.2 * tissue[i]) + 40 * septa * fibres[i] * fibres[i]
        } else if d < pleura - 2 * sigma {
          level = anatomy.muscleLevel
          speckled = level * (0.45 + 1.1 * fibres[i])
          if v < muscleRows {
            delta[v * beams + u] = Int16((level * 1.1 * (fibresLater[i] - fibres[i]) * envelope[v]).rounded())
          }
        } else {
          // Lung: a dim base level (its speckle is in the moving textures) with A-lines, the pleura's
          // reverberations at multiples of its depth from the face.
          level = anatomy.lungLevel
          var k = 2.0
          while pleura * k < s + 4 {
            let strength = pleuraBrightness * anatomy.aLineStrength * pow(anatomy.aLineDecay, k - 2)
            level += strength * exp(-pow((d - pleura * k) / (sigma * 1.2), 2))
            k += 1
          }
          speckled = level
        }
        for (depth, brightness) in lines where d < pleura - 2 * sigma {
          speckled += brightness * exp(-pow((d - depth) / max(1, sigma * 0.9), 2)) * (0.6 + 0.8 * tissue[i])
        }
        speckled += pleuraBrightness * exp(-pow((d - pleura) / sigma, 2)) * (0.75 + 0.5 * tissue[i])
        if let rib, let ribSurface, d >= ribSurface {
          if d < ribSurface + rib.thickness {
            speckled = 215 * (0.8 + 0.3 * tissue[i])
          } else {
            // The shadow: almost nothing comes back from under the bone, a faint reverberation first.
            let under = 4 + 12 * tissue[i] * exp(-(d - ribSurface) / 12)
            let kept = 1 - shadow[u] * (1 - anatomy.shadowResidual)
            speckled = speckled * kept + under * shadow[u]
          }
        }
        still[i] = speckled * envelope[v]
        if v >= lungTop {
          let row = v - lungTop
          let below = d - pleura
          var factor = 0.0
          if below > -2.5 * sigma {
            // Strong just at the line (its own granular texture slides), then the lung's speckle.
            let line = exp(-pow(below / (sigma * 1.3), 2)) * 1.6
            factor = (line + (below > 0 ? 0.55 + 0.45 * exp(-below / (0.3 * s)) : 0))
          }
          let open =
            rib == nil || ribSurface.map { d < $0 } == true
            ? 1.0 : 1 - shadow[u] * (1 - anatomy.shadowResidual)
          lungGain[row * beams + u] = Int16((factor * open * envelope[v] * 256).rounded())
          if below > 0 {
            let comet = (0.6 + 0.4 * exp(-below / (0.5 * s))) * min(1, below / (2 * sigma))
            bLineGain[row * beams + u] = Int16((comet * open * envelope[v] * 256).rounded())
          }
        }
      }
    }
    self.still = still.map { Int16(max(0, min(255, $0.rounded()))) }
    muscleDelta = delta
    self.lungGain = lungGain
    self.bLineGain = bLineGain
    let lungRows = samples - lungTop
    let width = beams + 2 * Self.margin
    let top = lungTop
    textureA = Speckle.field(
      width: width, height: lungRows, lateralRadius: { lateral($0 + top) }, generator: &generator
    ).map { Int16(($0 * anatomy.lungTexture).rounded()) }
    textureB = Speckle.field(
      width: width, height: lungRows, lateralRadius: { lateral($0 + top) }, generator: &generator
    ).map { Int16(($0 * anatomy.lungTexture).rounded()) }
    var profile = [Int16](repeating: 0, count: width)
    for line in anatomy.bLines {
      for x in 0..<width {
        let u = Double(x - Self.margin)
        let value = line.strength * exp(-pow((u - line.beam) / line.halfWidth, 2))
        profile[x] = Int16(min(255, Double(profile[x]) + value.rounded()))
      }
    }
    bLines = profile
  }

  /// Per beam, how fully a rib shadows what lies beneath it (0 open, 1 full shadow): the shadow's
  /// edges soften over a couple of beams.
  static func shadowFactors(anatomy: ChestAnatomy) -> [Double] {
    (0..<anatomy.beams).map { u in
      var factor = 0.0
      for rib in anatomy.ribs {
        let inside = rib.halfWidth - abs(Double(u) - rib.center)
        factor = max(factor, min(1, max(0, inside / 1.5 + 0.5)))
      }
      return factor
    }
  }
}

/// Correlated speckle in [0, ~1]: white noise blurred across (by a depth-dependent radius) and 3 rows
/// down, contrast-stretched and squared for sparse bright scatterers.
enum Speckle {
  static func field(
    width: Int, height: Int, lateralRadius: (Int) -> Int, generator: inout SeededGenerator
  ) -> [Double] {
    var white = [Double](repeating: 0, count: width * height)
    for i in white.indices { white[i] = generator.unit() }
    var across = [Double](repeating: 0, count: width * height)
    var prefix = [Double](repeating: 0, count: width + 1)
    for y in 0..<height {
      let row = y * width
      for x in 0..<width { prefix[x + 1] = prefix[x] + white[row + x] }
      let radius = max(0, lateralRadius(y))
      for x in 0..<width {
        let lo = max(0, x - radius)
        let hi = min(width, x + radius + 1)
        across[row + x] = (prefix[hi] - prefix[lo]) / Double(hi - lo)
      }
    }
    var result = [Double](repeating: 0, count: width * height)
    for y in 0..<height {
      let up = max(0, y - 1) * width
      let here = y * width
      let down = min(height - 1, y + 1) * width
      let radius = Double(max(0, lateralRadius(y)))
      // Averaging more values narrows the spread: stretch it back so every depth has the same contrast.
      let stretch = 3.2 * ((2 * radius + 1) / 5).squareRoot()
      for x in 0..<width {
        let v = (across[up + x] + across[here + x] + across[down + x]) / 3
        let stretched = max(0, min(1, (v - 0.5) * stretch + 0.5))
        result[here + x] = stretched * stretched
      }
    }
    return result
  }
}
