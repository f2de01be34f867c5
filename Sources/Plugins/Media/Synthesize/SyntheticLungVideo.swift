import Foundation
import Platform
import Primitives

/// A synthetic B-mode lung-ultrasound video with a known label and pleural ROI, in one of two styles.
///
/// **Classic** (synthesize 1.0.0's videos, frame for frame): a linear probe filling the frame. From the
/// top: skin, subcutaneous fat and muscle layers; two ribs (bright arcs) with acoustic shadows beneath
/// them; a bright pleural line between the ribs; below it, lung speckle and A-lines (reverberations of
/// the pleura at multiples of its depth).
///
/// **Realistic** (closer to real clips): a linear probe's rectangle or a convex probe's sector (fan-shaped
/// scan lines, lateral resolution falling with depth) with black around it; skin, fat and muscle with
/// their own textures, bright fascia lines and a slowly drifting muscle texture; the pleura at a varied
/// depth, slightly tilted and curved, cut into segments by rib arcs and their shadows; A-lines and
/// B-lines (comet tails); gain, depth and signal depth varying; burned-in text, a depth scale, a focus
/// marker and sometimes a caliper line; and a probe held by a hand that wanders.
///
/// In both, with sliding `present` the speckle under the pleural line (and the line's own texture, and
/// any comet tails) moves laterally with breathing and shimmers, while the tissue above stays (nearly)
/// still: a seashore pattern in M-mode. With sliding `absent` everything below the line stays still
/// (barcode). The whole chest moves slightly up and down with breathing and every frame gets fresh
/// electronic noise.
///
/// Everything follows from the parameters and seed: `frame(i)` is a pure function, so the same seed gives
/// the same frames on every machine. Frames are composed from precomputed layers with integer shifts
/// (one pass per frame, no per-pixel closures).
///
/// ```swift
/// let video = try SyntheticLungVideo(parameters: .init(sliding: .absent, seed: 7, style: .realistic))
/// print(video.roi)                                    // the true pleural ROI
/// try video.write(to: URL(fileURLWithPath: "p7.mp4"), container: .mp4)
/// ```
public struct SyntheticLungVideo: Sendable {
  /// What to generate.
  public struct Parameters: Hashable, Sendable {
    /// Width in pixels (the study: 854 or 640).
    public var width: Int
    /// Height in pixels (the study: 480).
    public var height: Int
    /// Frame rate (the study: 30 or 54).
    public var frameRate: VideoRational
    /// Duration in seconds (the study: 2–18).
    public var duration: Double
    /// The label: does the lung slide?
    public var sliding: LungSliding
    /// Seed of this video (rib positions, breathing, speckle, noise).
    public var seed: UInt64
    /// The patient's look (gain, noise, depth, chest motion).
    public var patient: SyntheticPatientProfile
    /// Classic (synthesize 1.0.0) or realistic.
    public var style: Style
    /// Realistic style only: the probe; nil lets the seed choose.
    public var probe: Probe?

    /// Parameters with study-like defaults: 640x480, 30 fps, 2 s, classic.
    public init(
      width: Int = WorkingFormat.width, height: Int = WorkingFormat.height,
      frameRate: VideoRational = WorkingFormat.frameRate,
      duration: Double = 2, sliding: LungSliding = .present, seed: UInt64 = 0,
      patient: SyntheticPatientProfile = SyntheticPatientProfile(), style: Style = .classic,
      probe: Probe? = nil
    ) {
      self.width = width
      self.height = height
      self.frameRate = frameRate
      self.duration = duration
      self.sliding = sliding
      self.seed = seed
      self.patient = patient
      self.style = style
      self.probe = probe
    }
  }

  /// How the video looks: `classic` keeps synthesize 1.0.0's frames for its seeds; `realistic` adds what
  /// real clips have and the classic videos lack.
  public enum Style: String, Hashable, Sendable, Codable, CaseIterable {
    case classic
    case realistic
  }

  /// The probe of a realistic video.
  public enum Probe: String, Hashable, Sendable, Codable, CaseIterable {
    /// Parallel scan lines: a rectangle of echo data.
    case linear
    /// Scan lines fanning out from an apex above the picture: a sector with black around it.
    case convex
  }

  /// What was asked for.
  public let parameters: Parameters
  /// The true pleural region of interest: the intercostal space between the rib shadows, from just above
  /// the pleural line down to where the echo signal ends (classic: the bottom of the image), in this
  /// video's pixels.
  public let roi: PixelRect
  /// Row of the pleural line's centre (realistic: under the middle of the ROI).
  public let pleuraY: Int
  /// `round(duration × frameRate)`.
  public let frameCount: Int
  /// The probe the video shows (classic videos are linear).
  public let probe: Probe
  /// The pixels that carry echo data (classic: every pixel).
  public let validRegion: ImageMask
  /// Row of a burned-in caliper line across the picture, if the video has one.
  public let caliperRow: Int?

  let renderer: Renderer

  enum Renderer: Sendable {
    case classic(Scene, Motion)
    case realistic(RealisticScan)
  }

  /// Builds the scene (layers, textures, noise field); frames are then cheap.
  /// - Throws: `VideoError.invalidParameter` for sizes below 64x64, non-positive rates or durations
  ///   outside 0.1–600 s.
  public init(parameters: Parameters) throws {
    guard parameters.width >= 64, parameters.height >= 64, parameters.width <= 4096, parameters.height <= 4096
    else {
      throw VideoError.invalidParameter(
        name: "synthetic video size", value: "\(parameters.width)x\(parameters.height)",
        reason: "width and height must be 64–4096")
    }
    guard parameters.frameRate.isPositive, parameters.frameRate.doubleValue <= 240 else {
      throw VideoError.invalidParameter(
        name: "frame rate", value: parameters.frameRate.description, reason: "must be positive, at most 240")
    }
    guard (0.1...600).contains(parameters.duration) else {
      throw VideoError.invalidParameter(
        name: "duration", value: "\(parameters.duration)", reason: "must be 0.1–600 seconds")
    }
    self.parameters = parameters
    frameCount = max(1, Int((parameters.duration * parameters.frameRate.doubleValue).rounded()))
    switch parameters.style {
    case .classic:
      var generator = SeededGenerator(seed: SeededGenerator.derive(parameters.seed, 1))
      let geometry = Geometry(parameters: parameters, generator: &generator)
      pleuraY = geometry.pleuraY
      roi = geometry.roi
      let motion = Motion(parameters: parameters, generator: &generator)
      renderer = .classic(Scene(parameters: parameters, geometry: geometry, generator: &generator), motion)
      probe = .linear
      validRegion = ImageMask(width: parameters.width, height: parameters.height, filled: true)
      caliperRow = nil
    case .realistic:
      // A stream of its own: the classic draws stay exactly as they were.
      var generator = SeededGenerator(seed: SeededGenerator.derive(parameters.seed, 0x5245_414C))
      let scan = RealisticScan(parameters: parameters, generator: &generator)
      pleuraY = scan.pleuraY
      roi = scan.roi
      probe = scan.geometry.isConvex ? .convex : .linear
      validRegion = scan.validRegion
      caliperRow = scan.overlay.caliperRow
      renderer = .realistic(scan)
    }
  }

  /// Time of frame `index` in seconds.
  public func seconds(ofFrame index: Int) -> Double { Double(index) / parameters.frameRate.doubleValue }

  /// Calls `body` with every frame in order.
  public func forEachFrame(_ body: (Int, GrayImage) throws -> Void) rethrows {
    for index in 0..<frameCount { try body(index, frame(index)) }
  }
}

// MARK: - Geometry and motion

extension SyntheticLungVideo {
  /// Where things are: pleura, ribs, intercostal space.
  struct Geometry: Sendable {
    let pleuraY: Int
    let pleuraHalfThickness: Int
    let ribCenters: (Int, Int)
    let ribHalfWidth: Int
    let ribLift: Int
    let ribArc: Int
    let ribThickness: Int
    let roi: PixelRect

    init(parameters: Parameters, generator: inout SeededGenerator) {
      let width = Double(parameters.width)
      let height = Double(parameters.height)
      let depth = parameters.patient.pleuraDepth + generator.uniform(-0.015...0.015)
      pleuraY = Int((min(0.45, max(0.2, depth)) * height).rounded())
      pleuraHalfThickness = max(2, Int((height / 130).rounded()))
      ribHalfWidth = Int((width * generator.uniform(0.06...0.085)).rounded())
      let left = Int((width * generator.uniform(0.13...0.17)).rounded())
      let right = Int((width * generator.uniform(0.83...0.87)).rounded())
      ribCenters = (left, right)
      ribLift = Int((height * generator.uniform(0.02...0.035)).rounded())
      ribArc = Int((height * generator.uniform(0.02...0.04)).rounded())
      ribThickness = max(3, Int((height / 90).rounded()))
      let x = left + ribHalfWidth + 2
      let top = max(0, pleuraY - pleuraHalfThickness - max(4, parameters.height / 40))
      roi = PixelRect(x: x, y: top, width: right - ribHalfWidth - 2 - x, height: parameters.height - top)
    }

    /// Top row of a rib's bright surface at column `x`, or nil when `x` is not under a rib.
    func ribTop(atColumn x: Int) -> Int? {
      for center in [ribCenters.0, ribCenters.1] where abs(x - center) <= ribHalfWidth {
        let d = Double(x - center) / Double(ribHalfWidth)
        return pleuraY - ribLift - Int((Double(ribArc) * (1 - d * d)).rounded())
      }
      return nil
    }
  }

  /// Breathing: whole-chest motion (both labels) and, with sliding, lateral motion and shimmer of the lung.
  struct Motion: Sendable {
    let breathingPeriod: Double
    let phase: Double
    let chestAmplitude: Double
    let slidingAmplitude: Double
    let shimmerFrequency: Double
    let shimmerPhase: Double

    init(parameters: Parameters, generator: inout SeededGenerator) {
      breathingPeriod = generator.uniform(2.8...4.5)
      phase = generator.uniform(0...(2 * Double.pi))
      chestAmplitude = parameters.patient.chestMotion
      let scale = Double(parameters.width) / 640
      slidingAmplitude = parameters.sliding == .present ? generator.uniform(4...8) * scale : 0
      shimmerFrequency = generator.uniform(1.2...2.5)
      shimmerPhase = generator.uniform(0...(2 * Double.pi))
    }

    /// The motion at `t` seconds: chest shift down in 1/256 px (sub-pixel, so that slow breathing does not
    /// jump), lateral shifts of the two lung textures, and the shimmer weight of texture A in 0...16.
    func state(at t: Double) -> (chestQ8: Int, shiftA: Int, shiftB: Int, weight: Int) {
      let breath = sin(2 * Double.pi * t / breathingPeriod + phase)
      let chest = Int((chestAmplitude * breath * 256).rounded())
      guard slidingAmplitude > 0 else { return (chest, 0, 0, 8) }
      let shimmer = sin(2 * Double.pi * shimmerFrequency * t + shimmerPhase)
      let shiftA = Int((slidingAmplitude * breath).rounded())
      let shiftB = Int((0.6 * slidingAmplitude * breath + 2 * shimmer).rounded())
      let weight = Int((8 + 7 * shimmer).rounded())
      return (chest, shiftA, shiftB, weight)
    }
  }
}
