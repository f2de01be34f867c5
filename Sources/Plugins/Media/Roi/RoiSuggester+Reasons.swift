import Foundation
import Platform
import Primitives

extension RoiSuggester {
  /// One sentence per finding, then one per thing that lowers the confidence.
  static func reasons(
    geometry: ScanGeometry, region: ValidImageRegion, chosen: PleuralLineSearch.Judged,
    judged: [PleuralLineSearch.Judged], box: Box, confidence: SuggestionConfidence, view: BeamView
  ) -> [String] {
    var reasons: [String] = []
    switch geometry.shape {
    case .rectangle(let rect):
      reasons.append("linear probe: echo data in \(rect)")
    case .sector(let apexX, let apexY, _, _, let from, let to):
      reasons.append(
        String(
          format: "convex probe: a %.0f° sector with its apex at (%.0f, %.0f)", (to - from) * 180 / Double.pi,
          apexX,
          apexY))
    }
    let overlays = region.overlay.count
    if overlays > 0 { reasons.append("\(overlays) static overlay pixels (text, markers, lines) ignored") }
    switch chosen.boundedSides {
    case (true, true): reasons.append("rib shadows on both sides of the window")
    case (true, false): reasons.append("a rib shadow on the left of the window")
    case (false, true): reasons.append("a rib shadow on the right of the window")
    case (false, false): reasons.append("no rib shadow beside the window")
    }
    reasons.append(
      String(
        format: "pleural line at row %d, %.0f grey levels above its surroundings, below a layered chest wall",
        box.pleuraY, chosen.contrast))
    reasons.append(
      box.reachesBottom
        ? "the echo signal reaches the bottom of the scan"
        : "the echo signal ends at row \(box.rect.maxY)")
    if confidence.marginFactor < 1 {
      let rival = judged.dropFirst().first {
        abs($0.line.offset - chosen.line.offset) > 3 * Double(view.delta)
      }
      let rivalRow = rival.map { c in
        Int(view.geometry.point(beam: c.line.middle, sample: c.line.row(atBeam: c.line.middle)).y.rounded())
      }
      reasons.append(
        String(
          format: "another line%@ scores %.0f %% of the chosen one", rivalRow.map { " (row \($0))" } ?? "",
          (1 - confidence.margin) * 100))
    }
    if confidence.spread > 1 {
      reasons.append(
        String(
          format: "the line moves by %.0f px between quarters of the clip (the probe or the patient moved)",
          confidence.spread * Double(view.delta)))
    }
    if confidence.windowAgreement < 0.8 {
      reasons.append(
        String(
          format:
            "the rib shadows move between quarters of the clip: a quarter's window overlaps the clip's by %.0f %%",
          confidence.windowAgreement * 100))
    }
    if confidence.boundsFactor < 1 {
      reasons.append(
        "a convex probe's window without a rib shadow on \(confidence.unboundedConvexSides == 2 ? "either side" : "one side")"
      )
    }
    if confidence.shadeFactor < 1 {
      // Where the stretch meets the line, in frame pixels.
      let stretch = confidence.shade.stretch
      let ends = [stretch.lowerBound, stretch.upperBound - 1].map { u in
        view.geometry.point(beam: Double(u), sample: chosen.line.row(atBeam: Double(u))).x
      }
      reasons.append(
        String(
          format:
            "below the line at x %.0f-%.0f the lung is darker (%.0f %% of the window's) under a bright arc: a rib shadow the window may run over",
          ends[0], ends[1], confidence.shade.darkness * 100))
    }
    if confidence.contrastFactor < 1 {
      reasons.append(String(format: "the line is faint (%.0f grey levels)", chosen.contrast))
    }
    return reasons
  }
}
