import Foundation
import Platform
import Primitives

/// How a realistic video moves: breathing lifts the whole chest (both labels); with sliding, the lung
/// below the pleura slides sideways with breathing and shimmers (comet tails with it); the muscle's
/// texture drifts slowly; and the hand holding the probe wanders a little, moving everything.
struct ScanMotion: Sendable {
  struct State: Equatable {
    /// Lateral shifts of the two lung textures (beams) and texture A's shimmer weight (0...16).
    var shiftA: Int
    var shiftB: Int
    var weight: Int
    /// Cross-fade of the muscle texture (0...16).
    var muscle: Int
    /// Whole-scene offset in beam space, 1/256 beam and 1/256 sample.
    var beamQ8: Int
    var sampleQ8: Int
  }

  let breathingPeriod: Double
  let phase: Double
  let chestAmplitude: Double
  let slidingAmplitude: Double
  let shimmerFrequency: Double
  let shimmerPhase: Double
  let musclePeriod: Double
  let musclePhase: Double
  let muscleAmplitude: Double
  let probeLateral: Double
  let probeVertical: Double
  let probeFrequencies: (Double, Double)
  let probePhases: (Double, Double)

  init(
    parameters: SyntheticLungVideo.Parameters, geometry: ScanGeometry, pleuraDepth: Double,
    generator: inout SeededGenerator
  ) {
    let pixelsPerBeam = geometry.beamSpacing(atSample: pleuraDepth)
    let scale = Double(max(geometry.samples, 200)) / 480
    breathingPeriod = generator.uniform(2.8...4.5)
    phase = generator.uniform(0...(2 * Double.pi))
    chestAmplitude = parameters.patient.chestMotion * scale
    slidingAmplitude =
      parameters.sliding == .present ? generator.uniform(4...8) * scale / pixelsPerBeam : 0
    shimmerFrequency = generator.uniform(1.2...2.5)
    shimmerPhase = generator.uniform(0...(2 * Double.pi))
    musclePeriod = generator.uniform(4...10)
    musclePhase = generator.uniform(0...(2 * Double.pi))
    muscleAmplitude = generator.uniform(1...5)
    let wanders = generator.unit() < 0.6
    probeLateral = wanders ? Double(geometry.beams) * generator.uniform(0.001...0.005) : 0
    probeVertical = wanders ? Double(geometry.samples) * generator.uniform(0...0.003) : 0
    probeFrequencies = (generator.uniform(0.05...0.2), generator.uniform(0.2...0.5))
    probePhases = (generator.uniform(0...(2 * Double.pi)), generator.uniform(0...(2 * Double.pi)))
  }

  func state(at t: Double) -> State {
    let breath = sin(2 * Double.pi * t / breathingPeriod + phase)
    let wander =
      sin(2 * Double.pi * probeFrequencies.0 * t + probePhases.0)
      + 0.4 * sin(2 * Double.pi * probeFrequencies.1 * t + probePhases.1)
    let muscle = Int((8 + muscleAmplitude * sin(2 * Double.pi * t / musclePeriod + musclePhase)).rounded())
    let beamQ8 = Int((probeLateral * wander * 256).rounded())
    let sampleQ8 = Int(((chestAmplitude * breath + probeVertical * wander) * 256).rounded())
    guard slidingAmplitude > 0 else {
      return State(shiftA: 0, shiftB: 0, weight: 8, muscle: muscle, beamQ8: beamQ8, sampleQ8: sampleQ8)
    }
    let shimmer = sin(2 * Double.pi * shimmerFrequency * t + shimmerPhase)
    return State(
      shiftA: Int((slidingAmplitude * breath).rounded()),
      shiftB: Int((0.6 * slidingAmplitude * breath + 2 * shimmer).rounded()),
      weight: Int((8 + 7 * shimmer).rounded()), muscle: muscle, beamQ8: beamQ8, sampleQ8: sampleQ8)
  }
}
