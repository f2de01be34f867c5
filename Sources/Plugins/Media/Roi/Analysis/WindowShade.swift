import Foundation
import Primitives

/// The darkest stretch of lung inside a chosen window that lies under a brighter chest wall than the
/// rest of the window's (a rib's arc): the shape of a rib shadow the rib search let through (a faint
/// shadow under which the pleural line still shows, so it was not taken for one). A dark stretch under
/// an ordinary or dim chest wall is not counted: it is a dim side of the picture (poor probe contact, a
/// lateral gain fall-off, as on one of the public clips), not a shadow.
struct WindowShade: Sendable, Equatable {
  /// The stretch's mean echo in the band below the line, as a share of the window's 75th percentile of
  /// it (1: nothing darker than the rest).
  var darkness: Double
  /// The beams of that stretch.
  var stretch: Range<Int>

  /// Stretches are this share of the window's beams (at least `leastBeams`).
  static let stretchFraction = 0.08
  static let leastBeams = 6
  /// The stretch's chest-wall cap (the brightest point above the line, the line itself left out) must be
  /// at least this share of the window's median cap: a rib's bright arc lies above a rib shadow.
  static let capShare = 1.2

  static let none = WindowShade(darkness: 1, stretch: 0..<0)

  /// The darkest capped stretch of `window` under `line`.
  init(view: BeamView, line: CandidateLine, window: Range<Int>) {
    let below = Array(PleuralLineSearch.lungBelow(view: view, line: line)[window])
    // The chest wall above the line, the line itself left out.
    let caps = PleuralLineSearch.caps(view: view, line: line, clearance: Double(view.delta), beams: window)
    let reference = Stats.quantile(below, 0.75)
    let capReference = Stats.median(caps)
    let length = max(Self.leastBeams, Int((Self.stretchFraction * Double(window.count)).rounded()))
    self = .none
    guard !reference.isNaN, reference > 0, !capReference.isNaN, length < window.count else { return }
    for start in 0...(below.count - length) {
      let part = start..<(start + length)
      let values = Array(below[part])
      guard values.filter({ !$0.isNaN }).count * 2 >= length else { continue }
      let darkness = Stats.mean(values) / reference
      guard darkness < self.darkness, Stats.median(Array(caps[part])) >= Self.capShare * capReference else {
        continue
      }
      self = WindowShade(
        darkness: darkness, stretch: (window.lowerBound + start)..<(window.lowerBound + start + length))
    }
  }

  init(darkness: Double, stretch: Range<Int>) {
    self.darkness = darkness
    self.stretch = stretch
  }
}
