/// A small, fast, seeded generator (SplitMix64), so that the same seed gives the same splits,
/// samples, shuffles and initial weights on every machine (Swift's default generator is not
/// seedable). Platform, the plugins and the engine all draw from this one type.
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

  /// A uniform value in [0, 1).
  public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

  /// A uniform value in (0, 1): never 0, so that a logarithm of it is finite.
  public mutating func openUnit() -> Double { (Double(next() >> 11) + 0.5) * 0x1.0p-53 }

  /// A uniform value in `range`.
  public mutating func uniform(_ range: ClosedRange<Double>) -> Double {
    range.lowerBound + unit() * (range.upperBound - range.lowerBound)
  }

  /// A derived seed: the same (`seed`, `stream`) always gives the same value, different streams differ.
  public static func derive(_ seed: UInt64, _ stream: UInt64) -> UInt64 {
    var generator = SeededGenerator(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03))
    return generator.next()
  }
}
