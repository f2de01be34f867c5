import Foundation
import Platform
import Primitives

extension RoiSuggester {
  /// The ROI in frame pixels for a chosen line: the window's sides where they meet the line, the top a
  /// margin (1/40 of the height, at least 4 px) above the line's highest stretch, the bottom where the
  /// signal ends (at the window's edges, so that a sector's arc does not cut the box).
  struct Box {
    var rect: PixelRect
    var pleuraY: Int
    /// Beam-space row where the signal ends, and whether that is the scan's bottom.
    var signalEnd: Int
    var reachesBottom: Bool

    init(
      chosen: PleuralLineSearch.Judged, view: BeamView, clip: ClipStatistics, usable: ImageMask, black: Double
    ) {
      let geometry = view.geometry
      let line = chosen.line
      let window = chosen.window
      let delta = Double(view.delta)
      let (width, height) = (clip.width, clip.height)
      let rows = window.map { line.row(atBeam: Double($0)) }
      let tops = zip(window, rows).map { geometry.point(beam: Double($0.0), sample: $0.1 - delta / 2).y }
      let top = Stats.quantile(tops, 0.05) - Double(max(4, height / 40))
      let first = Double(window.lowerBound)
      let last = Double(window.upperBound - 1)
      // The window is never empty (the search judges windows of a few beams at least).
      let left = geometry.point(beam: first, sample: rows.first ?? 0).x
      let right = geometry.point(beam: last, sample: rows.last ?? 0).x
      var floorValues: [Double] = []
      for i in usable.bits.indices where usable.bits[i] {
        floorValues.append(max(0, clip.mean.values[i] - black))
      }
      let floor = Stats.quantile(floorValues, 0.03)
      signalEnd = SignalDepth.end(
        view: view, window: window, below: Int(((rows.max() ?? 0) + 2 * delta).rounded()), floor: floor)
      reachesBottom = signalEnd >= view.samples - 1
      let bottom = min(
        geometry.point(beam: first, sample: Double(signalEnd)).y,
        geometry.point(beam: last, sample: Double(signalEnd)).y,
        Double(height))
      let x0 = max(0, Int(left.rounded(.up)))
      let x1 = min(width, Int(right.rounded(.down)) + 1)
      let y0 = max(0, Int(top.rounded()))
      let y1 = min(height, Int(bottom.rounded()) + 1)
      rect = PixelRect(x: x0, y: y0, width: max(0, x1 - x0), height: max(0, y1 - y0))
      let middle = (first + last) / 2
      pleuraY = Int(geometry.point(beam: middle, sample: line.row(atBeam: middle)).y.rounded())
    }
  }
}
