import Platform
import Primitives

/// What makes one synthetic patient's videos look alike and differ from another patient's: overall
/// brightness (gain), electronic noise, and how deep the pleura lies.
public struct SyntheticPatientProfile: Hashable, Sendable, Codable {
  /// Overall gain, multiplies every pixel (about 0.75–1.25).
  public var gain: Double
  /// Frame-to-frame noise amplitude in grey levels (about 2–9).
  public var noise: Double
  /// Depth of the pleural line as a fraction of the image height (about 0.28–0.42).
  public var pleuraDepth: Double
  /// Amplitude of whole-chest up-and-down motion with breathing, in pixels (0–0.8); both labels have it.
  public var chestMotion: Double

  /// A profile from explicit values.
  public init(gain: Double = 1, noise: Double = 5, pleuraDepth: Double = 0.35, chestMotion: Double = 0.5) {
    self.gain = gain
    self.noise = noise
    self.pleuraDepth = pleuraDepth
    self.chestMotion = chestMotion
  }

  /// A patient drawn at random from the study-like ranges; the same seed gives the same patient.
  public static func random(seed: UInt64) -> SyntheticPatientProfile {
    var generator = SeededGenerator(seed: SeededGenerator.derive(seed, 0x5041_5449))
    return SyntheticPatientProfile(
      gain: generator.uniform(0.75...1.25), noise: generator.uniform(2...9),
      pleuraDepth: generator.uniform(0.28...0.42), chestMotion: generator.uniform(0...0.8))
  }
}
