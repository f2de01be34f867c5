import Foundation
import Primitives

/// Where the echo signal ends below the pleura: the depth at which the window's mean brightness falls
/// most of the way (70 %) from the lung's level just below the line to the picture's floor and stays
/// there, or the bottom of the scan when it never does.
enum SignalDepth {
  /// Sample row (beam space) of the last useful depth.
  static func end(view: BeamView, window: Range<Int>, below start: Int, floor: Double) -> Int {
    let samples = view.samples
    var profile = (0..<samples).map { v in Stats.mean(window.map { view.mean[$0, v] }) }
    profile = Plane(width: 1, height: samples, values: profile).boxBlurred(0, 3).values
    let first = min(samples - 1, max(0, start))
    let span = max(5, Int(0.1 * Double(samples)))
    let level = Stats.median(Array(profile[first..<min(samples, first + span)]))
    guard !level.isNaN else { return samples - 1 }
    let threshold = floor + 0.3 * (level - floor)
    let hold = max(5, Int(0.05 * Double(samples)))
    for v in first..<samples where profile[v].isNaN || profile[v] < threshold {
      let rest = Array(profile[v..<min(samples, v + hold)])
      let mean = Stats.mean(rest)
      if mean.isNaN || mean < threshold { return v }
    }
    return samples - 1
  }
}
