// Seeded random numbers for initialisation: SeededGenerator bits, Box-Muller normals, and the
// truncated normal Keras' he_normal draws from.

/// A small deterministic generator (SeededGenerator). The same seed gives the same sequence on every
/// platform, which is what makes initial weights reproducible.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
  private var state: UInt64

  public init(seed: UInt64) { state = seed }

  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// Uniform in (0, 1).
  mutating func unit() -> Double { (Double(next() >> 11) + 0.5) / 9_007_199_254_740_992 }

  /// Standard normal (Box-Muller).
  mutating func normal() -> Double {
    let u1 = unit()
    let u2 = unit()
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

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Keras `he_normal`: truncated normal with stddev sqrt(2 / fanIn) / 0.8796... (the stddev of a
/// unit normal truncated at +-2), so that the drawn values have variance 2 / fanIn.
func heNormal(_ buffer: FloatBuffer, fanIn: Int, generator: inout SeededGenerator) {
  let stddev = (2.0 / Double(fanIn)).squareRoot() / 0.879_625_661_034_239_78
  for i in 0..<buffer.count {
    buffer.pointer[i] = Float(generator.truncatedNormal() * stddev)
  }
}
