import Foundation
import Primitives

/// How sure a suggestion is, from the things that go wrong on hard clips:
/// - **margin**: how far the chosen line's score is ahead of the best line at another depth (a close
///   second means the picture offers two plausible pleurae);
/// - **stability**: how far the line's depth moves between the four quarters of the clip, in ridge
///   spacings, and how well the window between the rib shadows of each quarter agrees with the whole
///   clip's (the probe or the patient moved: no single box fits every frame);
/// - **contrast**: how much the line stands out, in grey levels (a faint line is easily a wrong one);
/// - **bounds**: on a convex probe, window sides without a rib shadow;
/// - **shade**: a stretch of the window darker below the line under a bright arc (a rib shadow missed).
/// Each maps to 0...1; the confidence is their product.
struct SuggestionConfidence: Sendable, Equatable {
  var margin: Double
  var spread: Double
  /// The least overlap (intersection over union) of a quarter's window with the clip's.
  var windowAgreement: Double
  var contrast: Double
  /// Sides of the window that no rib shadow bounds although the probe is convex (a convex probe's wide
  /// view shows the ribs on both sides of a space; a side without one often means a shadow missed).
  var unboundedConvexSides = 0
  /// The window's darkest stretch of lung under a bright arc (`WindowShade`).
  var shade = WindowShade.none

  /// Below this window agreement the stability factor is 0: no fixed box fits, and the suggester
  /// refuses (with the reason) rather than return a box of confidence 0.
  static let fixedWindowAgreement = 0.4

  var marginFactor: Double { min(1, max(0, margin / 0.4)) }
  var stabilityFactor: Double {
    min(1, max(0, 1 - (spread - 1) / 2)) * min(1, max(0, (windowAgreement - Self.fixedWindowAgreement) / 0.4))
  }
  var contrastFactor: Double { pow(min(1, max(0, contrast / 15)), 0.5) }
  /// A convex window side without a rib shadow was the commonest shape of a wrong box (the window ran
  /// on over a shadow it missed: on the 210 videos of seed 1, four of the seven wrong boxes that were
  /// still confident had one), so one such side alone takes a suggestion below the threshold.
  var boundsFactor: Double { pow(0.45, Double(unboundedConvexSides)) }
  /// A stretch of the window darker below the line than the rest, under a brighter chest wall (a rib's
  /// arc), is most likely a rib shadow the window runs over (a faint one: the pleural line shows under
  /// the rib, so the rib search let it through). Each of the three confident boxes with IoU < 0.5 on the
  /// 630 videos of seeds 1-3 had one (lung at 70-83 % of the window's); it also keeps 8 boxes of IoU
  /// 0.5-0.7 and 25 right ones (IoU >= 0.7) below the threshold. At or below `shadeLow` alone it takes a
  /// suggestion below the threshold.
  static let shadeLow = 0.85
  static let shadeHigh = 0.88
  var shadeFactor: Double {
    let t = min(1, max(0, (shade.darkness - Self.shadeLow) / (Self.shadeHigh - Self.shadeLow)))
    return 0.45 + 0.55 * t
  }
  var value: Double { marginFactor * stabilityFactor * contrastFactor * boundsFactor * shadeFactor }

  /// The margin of `judged[0]` over the best candidate more than three ridge spacings away.
  static func margin(of judged: [PleuralLineSearch.Judged], delta: Int) -> Double {
    guard let best = judged.first, best.score > 0 else { return 0 }
    let rival =
      judged.dropFirst().filter { abs($0.line.offset - best.line.offset) > 3 * Double(delta) }.map(\.score)
      .max() ?? 0
    return (best.score - rival) / best.score
  }

  /// How many ridge spacings the chosen line's depth moves across the quarter means of the clip, followed
  /// within 8 % of the depth; as far as that when in some quarter the line no longer stands out at half
  /// its contrast.
  static func stability(
    of chosen: PleuralLineSearch.Judged, view: BeamView, quarters: [Plane], usable: ImageMask, black: Double
  )
    -> (spread: Double, windowAgreement: Double)
  {
    var agreement = 1.0
    let search = max(4, Int(0.08 * Double(view.samples)))
    var lost = false
    var offsets: [Int] = []
    for quarter in quarters {
      let part = BeamView(geometry: view.geometry, mean: quarter, usable: usable, black: black)
      func score(_ shift: Int) -> Double {
        var sum = 0.0
        var n = 0
        var inside = 0
        for u in chosen.window {
          let v = Int((chosen.line.row(atBeam: Double(u)) + Double(shift)).rounded())
          guard v >= 0, v < view.samples else { continue }
          inside += 1
          if !part.ridge[u, v].isNaN {
            sum += part.ridge[u, v]
            n += 1
          }
        }
        return Double(inside) >= 0.8 * Double(chosen.window.count) && n > 0 ? sum / Double(n) : -.infinity
      }
      // Follow the line from where it is in the whole clip up to its peak in this quarter (the nearest
      // peak: a brighter line a little further away is another line).
      var shift = 0
      var here = score(0)
      while abs(shift) < search {
        let (up, down) = (score(shift - 1), score(shift + 1))
        guard max(up, down) > here else { break }
        (shift, here) = up > down ? (shift - 1, up) : (shift + 1, down)
      }
      // Where the line does not stand out at half its contrast, it is not there any more (it moved
      // further than it can be followed).
      if here >= 0.5 * chosen.contrast { offsets.append(shift) } else { lost = true }
      var moved = chosen.line
      moved.offset += Double(shift)
      let window = PleuralLineSearch(view: part).judge(moved)?.window ?? 0..<0
      let common = max(
        0, min(window.upperBound, chosen.window.upperBound) - max(window.lowerBound, chosen.window.lowerBound)
      )
      let union = window.count + chosen.window.count - common
      agreement = min(agreement, union > 0 ? Double(common) / Double(union) : 0)
    }
    if lost { return (Double(2 * search) / Double(view.delta), agreement) }
    guard let low = offsets.min(), let high = offsets.max() else { return (0, agreement) }
    return (Double(high - low) / Double(view.delta), agreement)
  }
}
