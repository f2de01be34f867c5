import Platform
import Primitives

/// Pixels to black out on every frame, as runs along rows (cheap to apply to each frame).
public struct PixelMask: Sendable, Equatable {
  public let width: Int
  public let height: Int
  /// Masked runs: (first pixel index, pixel count), in increasing order.
  let runs: [(start: Int, count: Int)]
  /// How the mask was chosen, for the run's notes and the De-identification Method.
  public let summary: String

  public static func == (lhs: PixelMask, rhs: PixelMask) -> Bool {
    lhs.width == rhs.width && lhs.height == rhs.height && lhs.summary == rhs.summary
      && lhs.runs.elementsEqual(rhs.runs) { $0.start == $1.start && $0.count == $1.count }
  }

  /// Masks everything outside the union of `regions` (already clamped to the frame).
  public static func outside(_ regions: [PixelRect], width: Int, height: Int, summary: String) -> PixelMask {
    make(width: width, height: height, summary: summary) { x, y in
      !regions.contains { x >= $0.x && x < $0.maxX && y >= $0.y && y < $0.maxY }
    }
  }

  /// Masks the union of `rectangles`, clamped to the frame.
  public static func inside(_ rectangles: [PixelRect], width: Int, height: Int, summary: String) -> PixelMask
  {
    make(width: width, height: height, summary: summary) { x, y in
      rectangles.contains { x >= $0.x && x < $0.maxX && y >= $0.y && y < $0.maxY }
    }
  }

  private static func make(width: Int, height: Int, summary: String, masked: (Int, Int) -> Bool) -> PixelMask
  {
    var runs: [(start: Int, count: Int)] = []
    for y in 0..<height {
      var x = 0
      while x < width {
        guard masked(x, y) else {
          x += 1
          continue
        }
        let start = x
        while x < width, masked(x, y) { x += 1 }
        runs.append((y * width + start, x - start))
      }
    }
    return PixelMask(width: width, height: height, runs: runs, summary: summary)
  }

  /// Number of masked pixels.
  public var maskedPixels: Int { runs.reduce(0) { $0 + $1.count } }

  /// Sets every masked pixel of an interleaved 8-bit frame (`samples` per pixel) to 0: black in
  /// MONOCHROME2 and RGB, the only layouts Pleura writes.
  public func apply(to frame: inout [UInt8], samples: Int) {
    frame.withUnsafeMutableBufferPointer { pixels in
      for run in runs {
        (pixels.address + run.start * samples).update(repeating: 0, count: run.count * samples)
      }
    }
  }

  /// Applies the mask to a grey image.
  public func apply(to image: inout GrayImage) {
    apply(to: &image.pixels, samples: 1)
  }
}
