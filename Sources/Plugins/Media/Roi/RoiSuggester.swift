import Foundation
import Platform
import Primitives

/// Proposes the pleural ROI of a B-mode lung video, with a confidence and the reasons for it.
///
/// 1. The clip's temporal statistics give the **valid image region** (pixels that change over time or
///    carry echo; the black surround does neither) and the **static overlays** (bright pixels that never
///    change: text, depth scale, markers, caliper lines), which are ignored from then on.
/// 2. The region's shape gives the **probe**: a convex probe's sector sides meet at an apex above the
///    picture; the picture is then unrolled into beam space (scan lines across, depth down).
/// 3. The **pleural line** is the bright, laterally extended line with rib shadows beside it (dark below,
///    a bright arc above, the line hidden under it), below the layered chest wall and not below a rib
///    (see `PleuralLineSearch`); the window between its rib shadows gives the ROI's sides.
/// 4. The ROI runs from just above the line's highest point down to where the **echo signal ends**.
/// 5. The **confidence** (0...1) drops when a second line at another depth scores nearly as well, when
///    the line moves between parts of the clip (probe motion) or when it is faint. Below
///    `defaultMinimumConfidence` a suggestion is shown as low-confidence and `--apply` leaves it alone.
public enum RoiSuggester {
  public struct Suggestion: Equatable, Sendable, Codable {
    public var rect: PixelRect
    /// Row of the pleural line under the middle of the ROI.
    public var pleuraY: Int
    /// 0...1.
    public var confidence: Double
    /// Why: what was found, and what lowers the confidence.
    public var reasons: [String]
    /// `linear` or `convex`.
    public var probe: String

    /// Below the default threshold: shown as such everywhere.
    public var isLowConfidence: Bool { RoiConfidence.isLow(confidence) }
  }

  public enum Failure: Error, CustomStringConvertible, Equatable {
    case noFrames
    case noImage(String)
    case noPleuralLine(String)
    case noFixedBox(String)

    public var description: String {
      switch self {
      case .noFrames: "the video has no frames to look at"
      case .noImage(let reason): "no ultrasound picture found: \(reason)"
      case .noPleuralLine(let reason): "no pleural line found: \(reason)"
      case .noFixedBox(let reason):
        "no fixed box is pleura in every frame: \(reason); mark the parts apart (pleura roi set --frames A-B)"
      }
    }
  }

  /// Suggestions below this confidence are low-confidence: shown as such and not applied by default.
  public static let defaultMinimumConfidence = RoiConfidence.lowBelow

  /// Suggests from a video file of `frameCount` frames, reading about `maxFrames` of them (in pairs of
  /// consecutive frames, spread over the clip).
  public static func suggest(url: URL, frameCount: Int, maxFrames: Int = 180) throws -> Suggestion {
    let decoder = try VideoDecoders.open(url)
    let total = max(1, frameCount)
    let step = max(1, Int((Double(total) / Double(max(2, maxFrames / 2))).rounded(.up)))
    var accumulator: ClipStatistics.Accumulator?
    while let frame = try decoder.nextFrame() {
      guard step == 1 || frame.index % step < 2 else { continue }
      if accumulator == nil {
        accumulator = .init(width: frame.image.width, height: frame.image.height, expected: total)
      }
      accumulator?.add(frame.image, index: frame.index)
    }
    guard let statistics = accumulator?.finish() else { throw Failure.noFrames }
    return try suggest(statistics)
  }

  public static func suggest(frames: [GrayImage]) throws -> Suggestion {
    guard let first = frames.first else { throw Failure.noFrames }
    var accumulator = ClipStatistics.Accumulator(
      width: first.width, height: first.height, expected: frames.count)
    for (index, frame) in frames.enumerated() { accumulator.add(frame, index: index) }
    guard let statistics = accumulator.finish() else { throw Failure.noFrames }
    return try suggest(statistics)
  }

  static func suggest(_ clip: ClipStatistics) throws -> Suggestion {
    let (width, height) = (clip.width, clip.height)
    let region = ValidImageRegion(mean: clip.mean, deviation: clip.deviation)
    guard region.mask.count >= width * height / 20 else {
      throw Failure.noImage("no part of the picture changes over time or carries echo data")
    }
    guard let geometry = ScanGeometry.estimate(from: region.mask) else {
      throw Failure.noImage("the region with echo data is neither a rectangle nor a sector")
    }
    var usable = region.mask
    for i in usable.bits.indices where region.overlay.bits[i] { usable.bits[i] = false }
    let view = BeamView(geometry: geometry, mean: clip.mean, usable: usable, black: region.black)
    let judged = PleuralLineSearch(view: view).judgedCandidates()
    guard let chosen = judged.first, chosen.score > 0 else {
      throw Failure.noPleuralLine("no bright, laterally extended line stands out below the chest wall")
    }
    let box = Box(chosen: chosen, view: view, clip: clip, usable: usable, black: region.black)
    guard box.rect.width >= 4, box.rect.height >= 4 else {
      throw Failure.noPleuralLine("the line found leaves no usable box (\(box.rect))")
    }
    let stability = SuggestionConfidence.stability(
      of: chosen, view: view, quarters: clip.quarters, usable: usable, black: region.black)
    // Where the window between the rib shadows of some part of the clip barely overlaps the whole clip's,
    // the probe slid along the chest: a box fitted to the mean picture is pleura in no part of it.
    guard stability.windowAgreement >= SuggestionConfidence.fixedWindowAgreement else {
      throw Failure.noFixedBox(
        String(
          format:
            "the rib shadows move between parts of the clip (a quarter's window overlaps the whole clip's by %.0f %%)",
          stability.windowAgreement * 100))
    }
    var confidence = SuggestionConfidence(
      margin: SuggestionConfidence.margin(of: judged, delta: view.delta), spread: stability.spread,
      windowAgreement: stability.windowAgreement, contrast: chosen.contrast)
    confidence.shade = WindowShade(view: view, line: chosen.line, window: chosen.window)
    if geometry.isConvex {
      let bounded = chosen.boundedSides
      confidence.unboundedConvexSides = (bounded.left ? 0 : 1) + (bounded.right ? 0 : 1)
    }
    let reasons = Self.reasons(
      geometry: geometry, region: region, chosen: chosen, judged: judged, box: box, confidence: confidence,
      view: view)
    return Suggestion(
      rect: box.rect, pleuraY: box.pleuraY, confidence: (confidence.value * 100).rounded() / 100,
      reasons: reasons,
      probe: geometry.isConvex ? "convex" : "linear")
  }
}
