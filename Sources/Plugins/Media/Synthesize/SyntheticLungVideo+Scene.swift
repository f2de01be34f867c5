import Foundation
import Platform
import Primitives

extension SyntheticLungVideo {
  /// The precomputed layers a frame is composed of (all already multiplied by the patient's gain):
  /// - `background`: the still picture (tissue, ribs, shadows, pleural line, A-lines), `width x height`;
  /// - `textureA`/`textureB`: two lung speckle fields, `textureWidth x lungRows`, padded by `margin` columns
  ///   each side so that they can be shifted laterally;
  /// - `rowGain` (Q8 per lung row) and `columnWeight` (Q8 per column, 0 under rib shadows) scale the speckle;
  /// - `noise`: a field of electronic noise, `(width + noisePad) x (height + noisePad)`, read at a random
  ///   offset each frame.
  struct Scene: Sendable {
    static let margin = 24
    static let noisePad = 32

    let width: Int
    let height: Int
    let lungTop: Int
    let textureWidth: Int
    let background: [Int16]
    let textureA: [Int16]
    let textureB: [Int16]
    let rowGain: [Int32]
    let columnWeight: [Int32]
    let noise: [Int16]

    init(parameters: Parameters, geometry: Geometry, generator: inout SeededGenerator) {
      width = parameters.width
      height = parameters.height
      let gain = parameters.patient.gain
      lungTop = geometry.pleuraY - 2 * geometry.pleuraHalfThickness
      let lungRows = height - lungTop
      textureWidth = width + 2 * Self.margin

      var tissueSpeckle = Self.speckle(width: width, height: height, generator: &generator)
      let still = Self.stillPicture(
        parameters: parameters, geometry: geometry, speckle: &tissueSpeckle, generator: &generator)
      background = still.map { Int16(max(0, min(255, ($0 * gain).rounded()))) }
      textureA = Self.speckle(width: textureWidth, height: lungRows, generator: &generator)
        .map { Int16(($0 * 140).rounded()) }
      textureB = Self.speckle(width: textureWidth, height: lungRows, generator: &generator)
        .map { Int16(($0 * 140).rounded()) }

      let pleura = Double(geometry.pleuraY)
      let top = lungTop
      rowGain = (0..<lungRows).map { row in
        let y = Double(top + row)
        let attenuation = 1 - 0.45 * y / Double(parameters.height)
        let below = max(0, y - pleura)
        let factor = (0.45 + 0.55 * exp(-below / (0.35 * Double(parameters.height)))) * attenuation
        return Int32((factor * gain * 256).rounded())
      }
      columnWeight = (0..<width).map { x in
        // Speckle fades out over 4 px at each shadow edge and is absent beneath the ribs.
        let distance =
          min(abs(x - geometry.ribCenters.0), abs(x - geometry.ribCenters.1)) - geometry.ribHalfWidth
        return Int32(max(0, min(256, distance * 64)))
      }
      let amplitude = parameters.patient.noise
      noise = (0..<((width + Self.noisePad) * (height + Self.noisePad))).map { _ in
        Int16((generator.uniform(-1...1) * amplitude).rounded())
      }
    }

    /// Correlated speckle in [0, ~1]: white noise blurred 5 px across and 3 px down (ultrasound resolves
    /// worse laterally), contrast-stretched and squared for sparse bright scatterers.
    static func speckle(width: Int, height: Int, generator: inout SeededGenerator) -> [Double] {
      var white = [Double](repeating: 0, count: width * height)
      for i in white.indices { white[i] = generator.unit() }
      var across = [Double](repeating: 0, count: width * height)
      for y in 0..<height {
        let row = y * width
        for x in 0..<width {
          var sum = 0.0
          for dx in -2...2 { sum += white[row + min(width - 1, max(0, x + dx))] }
          across[row + x] = sum / 5
        }
      }
      var result = [Double](repeating: 0, count: width * height)
      for y in 0..<height {
        let up = max(0, y - 1) * width
        let here = y * width
        let down = min(height - 1, y + 1) * width
        for x in 0..<width {
          let v = (across[up + x] + across[here + x] + across[down + x]) / 3
          let stretched = max(0, min(1, (v - 0.5) * 3.2 + 0.5))
          result[here + x] = stretched * stretched
        }
      }
      return result
    }

    /// The still picture, before gain: tissue layers with speckle, fascia, ribs, shadows, pleura, A-lines.
    static func stillPicture(
      parameters: Parameters, geometry: Geometry, speckle: inout [Double], generator: inout SeededGenerator
    ) -> [Double] {
      let width = parameters.width
      let height = parameters.height
      let h = Double(height)
      let pleura = Double(geometry.pleuraY)
      let skin = 0.025 * h
      let fat = skin + (pleura - skin) * generator.uniform(0.2...0.35)
      let striationPeriod = generator.uniform(6...11) * h / 480
      let striationPhase = generator.uniform(0...(2 * Double.pi))
      let fascia = (0..<3).map { _ in generator.uniform(fat...(pleura - 0.04 * h)) }
      let pleuraSigma = Double(geometry.pleuraHalfThickness)

      // One brightness profile per row, then speckle and the ribs per column.
      let rowLevel: [Double] = (0..<height).map { row in
        let y = Double(row)
        let attenuation = 1 - 0.45 * y / h
        var level: Double
        if y < skin {
          level = 150
        } else if y < fat {
          level = 45
        } else if y < pleura - 2 * pleuraSigma {
          level = 85 + 14 * sin(2 * Double.pi * y / striationPeriod + striationPhase)
          for line in fascia { level += 60 * exp(-pow((y - line) / 2, 2)) }
        } else {
          level = 18
          var k = 1.0
          while pleura * (k + 1) < h + 4 {  // A-lines at multiples of the pleural depth
            level += 120 * pow(0.55, k - 1) * exp(-pow((y - pleura * (k + 1)) / 1.8, 2))
            k += 1
          }
        }
        level += 190 * exp(-pow((y - pleura) / pleuraSigma, 2))
        return level * attenuation
      }
      var picture = [Double](repeating: 0, count: width * height)
      let lungStart = Int(pleura - 2 * pleuraSigma)
      for row in 0..<height {
        let tissue = row < lungStart
        for x in 0..<width {
          let i = row * width + x
          // Tissue gets its own still speckle; lung speckle comes from the moving textures.
          picture[i] = tissue ? rowLevel[row] * (0.55 + 0.9 * speckle[i]) : rowLevel[row]
        }
      }
      for x in 0..<width {
        guard let top = geometry.ribTop(atColumn: x) else { continue }
        for row in max(0, top)..<height {
          let i = row * width + x
          if row < top + geometry.ribThickness {
            picture[i] = 215 * (0.8 + 0.3 * speckle[i])
          } else {
            picture[i] = 4 + 10 * speckle[i] * exp(-Double(row - top) / 20)
          }
        }
      }
      return picture
    }
  }
}
