import Platform
import Primitives

/// The part of a picture that carries echo data, judged from a run of frames of it: what
/// `RoiSuggester` calls the valid image region (the black surround and the burned-in overlays around
/// a sector or rectangle are not part of it). Used to keep video cubes out of the black.
public enum EchoRegion {
  /// The region in `frames` (all of one size; at least two, so that change over time can be seen).
  public static func mask(of frames: [GrayImage]) -> ImageMask? {
    guard let first = frames.first, frames.count >= 2 else { return nil }
    var accumulator = ClipStatistics.Accumulator(
      width: first.width, height: first.height, expected: frames.count)
    for (index, frame) in frames.enumerated() { accumulator.add(frame, index: index) }
    guard let clip = accumulator.finish() else { return nil }
    return ValidImageRegion(mean: clip.mean, deviation: clip.deviation).mask
  }
}
