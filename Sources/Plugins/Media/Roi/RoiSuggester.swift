import Foundation
import Platform

/// Proposes the pleural ROI of a B-mode lung video from its temporal mean image.
///
/// The pleural line is the brightest, most continuous horizontal ridge below the soft tissue,
/// looked for between the rib shadows (columns whose lower half is dark). The ROI spans that
/// intercostal space from just above the line to the bottom of the image, as the study marked it.
public enum RoiSuggester {
  public struct Suggestion: Equatable, Sendable, Codable {
    public var rect: PixelRect
    /// Row of the pleural line.
    public var pleuraY: Int
    /// Ridge contrast in grey levels and the share of intercostal columns where it is present.
    public var contrast: Double
    public var continuity: Double
  }

  public enum Failure: Error, CustomStringConvertible, Equatable {
    case noFrames
    case noPleuralLine(bestContrast: Double, bestContinuity: Double)

    public var description: String {
      switch self {
      case .noFrames: "the video has no frames to look at"
      case .noPleuralLine(let contrast, let continuity):
        String(
          format: "no pleural line found (best ridge: contrast %.1f grey levels over %.0f%% of the columns)",
          contrast, continuity * 100)
      }
    }
  }

  /// Smallest ridge that counts as a pleural line.
  static let minimumContrast = 6.0
  static let minimumContinuity = 0.5

  /// Suggests from a video file of `frameCount` frames, averaging up to `maxFrames` of them.
  public static func suggest(url: URL, frameCount: Int, maxFrames: Int = 90) throws -> Suggestion {
    let decoder = try VideoDecoders.open(url)
    let total = max(1, frameCount)
    let step = max(1, total / maxFrames)
    var frames: [GrayImage] = []
    while let frame = try decoder.nextFrame() {
      if frame.index % step == 0 { frames.append(frame.image) }
      if frames.count >= maxFrames { break }
    }
    return try suggest(frames: frames)
  }

  public static func suggest(frames: [GrayImage]) throws -> Suggestion {
    guard let first = frames.first else { throw Failure.noFrames }
    let (width, height) = (first.width, first.height)
    var mean = [Double](repeating: 0, count: width * height)
    for frame in frames where frame.width == width && frame.height == height {
      for index in 0..<mean.count { mean[index] += Double(frame.pixels[index]) }
    }
    let scale = 1 / Double(frames.count)
    for index in 0..<mean.count { mean[index] *= scale }
    return try suggest(mean: mean, width: width, height: height)
  }

  static func suggest(mean: [Double], width: Int, height: Int) throws -> Suggestion {
    let (x0, x1) = intercostalColumns(mean: mean, width: width, height: height)
    let columns = x1 - x0
    // Row profile over the intercostal columns.
    var profile = [Double](repeating: 0, count: height)
    for y in 0..<height {
      var sum = 0.0
      for x in x0..<x1 { sum += mean[y * width + x] }
      profile[y] = sum / Double(columns)
    }
    let delta = max(3, height / 40)
    var best = (y: -1, score: -Double.infinity, contrast: 0.0, continuity: 0.0)
    let lower = max(delta, height / 10)
    let upper = min(height - delta - 1, height * 3 / 4)
    guard lower < upper else { throw Failure.noPleuralLine(bestContrast: 0, bestContinuity: 0) }
    for y in lower...upper {
      let around = 0.5 * (profile[y - delta] + profile[y + delta])
      let contrast = profile[y] - around
      guard contrast > 0 else { continue }
      var present = 0
      for x in x0..<x1 {
        let value = mean[y * width + x]
        if value > 0.5 * (mean[(y - delta) * width + x] + mean[(y + delta) * width + x]) + 2 { present += 1 }
      }
      let continuity = Double(present) / Double(columns)
      // Bright and continuous; the shallowest such ridge wins over its deeper A-line echoes.
      let score = contrast * continuity * (1 - 0.5 * Double(y) / Double(height))
      if score > best.score { best = (y, score, contrast, continuity) }
    }
    guard best.y >= 0, best.contrast >= minimumContrast, best.continuity >= minimumContinuity else {
      throw Failure.noPleuralLine(
        bestContrast: max(0, best.contrast), bestContinuity: max(0, best.continuity))
    }
    // The line's upper edge: where the ridge falls to half its contrast above its centre.
    let base = 0.5 * (profile[best.y - delta] + profile[best.y + delta])
    var top = best.y
    while top > 0, profile[top - 1] - base > 0.5 * best.contrast { top -= 1 }
    let y = max(0, top - max(4, height / 40))
    let rect = PixelRect(x: x0, y: y, width: columns, height: height - y)
    return Suggestion(rect: rect, pleuraY: best.y, contrast: best.contrast, continuity: best.continuity)
  }

  /// The widest run of columns whose lower half is not in acoustic shadow.
  static func intercostalColumns(mean: [Double], width: Int, height: Int) -> (Int, Int) {
    let start = height / 2
    var columnMeans = [Double](repeating: 0, count: width)
    for x in 0..<width {
      var sum = 0.0
      for y in start..<height { sum += mean[y * width + x] }
      columnMeans[x] = sum / Double(height - start)
    }
    let sorted = columnMeans.sorted()
    let bright = sorted[Int(Double(width) * 0.75)]
    let threshold = 0.45 * bright
    var best = (0, width)
    var bestLength = 0
    var runStart: Int?
    for x in 0...width {
      let lit = x < width && columnMeans[x] > threshold
      if lit, runStart == nil { runStart = x }
      if !lit, let s = runStart {
        if x - s > bestLength {
          bestLength = x - s
          best = (s, x)
        }
        runStart = nil
      }
    }
    // A shadow-free picture (no ribs in view): use the whole width.
    return bestLength >= max(8, width / 8) ? best : (0, width)
  }
}
