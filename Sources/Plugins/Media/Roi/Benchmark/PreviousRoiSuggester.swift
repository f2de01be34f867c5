import Foundation
import Platform
import Primitives

/// The ROI suggestion `pleura roi suggest` made before the realistic generator (roi suggestion of
/// commit 83d77df): the brightest, most continuous horizontal ridge of the temporal mean image
/// between the rib shadows, boxed from just above the line to the bottom of the image. Kept only as
/// the benchmark's peer, so that `pleura bench roi` shows the two side by side on the same videos;
/// nothing else calls it.
enum PreviousRoiSuggester {
  static let minimumContrast = 6.0
  static let minimumContinuity = 0.5

  /// The box, or nil where it found no pleural line (its refusal).
  static func suggest(url: URL, frameCount: Int, maxFrames: Int = 90) throws -> PixelRect? {
    let decoder = try VideoDecoders.open(url)
    let step = max(1, max(1, frameCount) / maxFrames)
    var frames: [GrayImage] = []
    while let frame = try decoder.nextFrame() {
      if frame.index % step == 0 { frames.append(frame.image) }
      if frames.count >= maxFrames { break }
    }
    guard let first = frames.first else { return nil }
    let (width, height) = (first.width, first.height)
    var mean = [Double](repeating: 0, count: width * height)
    for frame in frames where frame.width == width && frame.height == height {
      for index in 0..<mean.count { mean[index] += Double(frame.pixels[index]) }
    }
    for index in 0..<mean.count { mean[index] /= Double(frames.count) }
    return suggest(mean: mean, width: width, height: height)
  }

  static func suggest(mean: [Double], width: Int, height: Int) -> PixelRect? {
    let (x0, x1) = intercostalColumns(mean: mean, width: width, height: height)
    let columns = x1 - x0
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
    guard lower < upper else { return nil }
    for y in lower...upper {
      let contrast = profile[y] - 0.5 * (profile[y - delta] + profile[y + delta])
      guard contrast > 0 else { continue }
      var present = 0
      for x in x0..<x1 {
        let value = mean[y * width + x]
        if value > 0.5 * (mean[(y - delta) * width + x] + mean[(y + delta) * width + x]) + 2 { present += 1 }
      }
      let continuity = Double(present) / Double(columns)
      let score = contrast * continuity * (1 - 0.5 * Double(y) / Double(height))
      if score > best.score { best = (y, score, contrast, continuity) }
    }
    guard best.y >= 0, best.contrast >= minimumContrast, best.continuity >= minimumContinuity else {
      return nil
    }
    let base = 0.5 * (profile[best.y - delta] + profile[best.y + delta])
    var top = best.y
    while top > 0, profile[top - 1] - base > 0.5 * best.contrast { top -= 1 }
    let y = max(0, top - max(4, height / 40))
    return PixelRect(x: x0, y: y, width: columns, height: height - y)
  }

  /// The widest run of columns whose lower half is not in acoustic shadow (the whole width when none is
  /// wide enough).
  static func intercostalColumns(mean: [Double], width: Int, height: Int) -> (Int, Int) {
    let start = height / 2
    var columnMeans = [Double](repeating: 0, count: width)
    for x in 0..<width {
      var sum = 0.0
      for y in start..<height { sum += mean[y * width + x] }
      columnMeans[x] = sum / Double(height - start)
    }
    let threshold = 0.45 * columnMeans.sorted()[Int(Double(width) * 0.75)]
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
    return bestLength >= max(8, width / 8) ? best : (0, width)
  }
}
