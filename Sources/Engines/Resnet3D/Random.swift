// Seeded random numbers for initialisation: Box-Muller normals from the shared SeededGenerator,
// and the truncated normal Keras' he_normal draws from.
import Primitives

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

extension SeededGenerator {
  /// Standard normal (Box-Muller).
  mutating func normal() -> Double {
    let u1 = openUnit()
    let u2 = openUnit()
    return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
  }

  /// Standard normal redrawn until it lies within two standard deviations.
  mutating func truncatedNormal() -> Double {
    while true {
      let x = normal()
      if abs(x) <= 2 { return x }
    }
  }
}

/// Keras `he_normal`: truncated normal with stddev sqrt(2 / fanIn) / 0.8796... (the stddev of a
/// unit normal truncated at +-2), so that the drawn values have variance 2 / fanIn.
func heNormal(_ buffer: FloatBuffer, fanIn: Int, generator: inout SeededGenerator) {
  let stddev = (2.0 / Double(fanIn)).squareRoot() / 0.879_625_661_034_239_78
  for i in 0..<buffer.count {
    buffer.pointer[i] = Float(generator.truncatedNormal() * stddev)
  }
}
