import Foundation
import Primitives

/// Per-pixel statistics of a clip over time, the raw material of ROI suggestion: the temporal mean and
/// standard deviation, the mean frame-to-frame change (over pairs of consecutive frames that differ:
/// repeated frames carry no motion), and the mean of each quarter of the clip (to see whether things
/// stay where they are).
struct ClipStatistics: Sendable {
  let width: Int
  let height: Int
  let frames: Int
  let mean: Plane
  let deviation: Plane
  let activity: Plane
  let quarters: [Plane]

  /// Accumulates frames one at a time, so a long video never sits in memory.
  struct Accumulator {
    let width: Int
    let height: Int
    /// Frames are expected to be numbered 0..<`expected`; they go to quarters by number.
    let expected: Int
    var sum: [Double]
    var squares: [Double]
    var change: [Double]
    var pairs = 0
    var count = 0
    var quarterSums: [[Double]]
    var quarterCounts = [0, 0, 0, 0]
    var previous: (index: Int, pixels: [UInt8])?

    init(width: Int, height: Int, expected: Int) {
      self.width = width
      self.height = height
      self.expected = max(1, expected)
      sum = [Double](repeating: 0, count: width * height)
      squares = sum
      change = sum
      quarterSums = Array(repeating: sum, count: 4)
    }

    /// Adds frame number `index`; frames of another size are skipped.
    mutating func add(_ image: GrayImage, index: Int) {
      guard image.width == width, image.height == height else { return }
      let quarter = min(3, max(0, index * 4 / expected))
      let pixels = image.pixels
      pixels.withUnsafeBufferPointer { p in
        for i in 0..<p.count {
          let v = Double(p[i])
          sum[i] += v
          squares[i] += v * v
          quarterSums[quarter][i] += v
        }
      }
      quarterCounts[quarter] += 1
      count += 1
      if let previous, previous.index == index - 1 {
        var total = 0
        var diff = [Double](repeating: 0, count: pixels.count)
        for i in 0..<pixels.count {
          let d = abs(Int(pixels[i]) - Int(previous.pixels[i]))
          total += d
          diff[i] = Double(d)
        }
        // A repeated frame (a source at a lower rate, padded) is not motion.
        if Double(total) / Double(pixels.count) > 0.05 {
          for i in 0..<diff.count { change[i] += diff[i] }
          pairs += 1
        }
      }
      previous = (index, pixels)
    }

    func finish() -> ClipStatistics? {
      guard count > 0 else { return nil }
      let n = Double(count)
      let meanValues = sum.map { $0 / n }
      let deviationValues = zip(squares, meanValues).map { max(0, $0 / n - $1 * $1).squareRoot() }
      let activityValues =
        pairs > 0 ? change.map { $0 / Double(pairs) } : [Double](repeating: 0, count: sum.count)
      let quarters = (0..<4).compactMap { q -> Plane? in
        guard quarterCounts[q] > 0 else { return nil }
        return Plane(
          width: width, height: height, values: quarterSums[q].map { $0 / Double(quarterCounts[q]) })
      }
      return ClipStatistics(
        width: width, height: height, frames: count,
        mean: Plane(width: width, height: height, values: meanValues),
        deviation: Plane(width: width, height: height, values: deviationValues),
        activity: Plane(width: width, height: height, values: activityValues), quarters: quarters)
    }
  }
}
