import Foundation

/// M-mode pictures: one pixel column followed over time, time running left to right.
///
/// ```swift
/// let mmode = try MModeImage.make(from: videoURL, column: 320, rows: 150..<400)
/// try PNGWriter.write(mmode, to: URL(fileURLWithPath: "mmode.png"))
/// ```
public enum MModeImage {
  /// The M-mode of a video file: image column `i` is pixel column `column` (rows `rows`, or all) of frame `i`.
  /// - Throws: `VideoError.outOfRange` when the column or rows lie outside the frame, and decoding errors.
  public static func make(from url: URL, column: Int, rows: Range<Int>? = nil) throws -> GrayImage {
    let decoder = try VideoDecoders.open(url)
    guard let first = try decoder.nextFrame() else { throw VideoError.noFrames(file: url.path) }
    var builder = try Builder(
      file: url.path, width: first.image.width, height: first.image.height, column: column, rows: rows)
    builder.append(first.image)
    while let frame = try decoder.nextFrame() { builder.append(frame.image) }
    return builder.image
  }

  /// The M-mode of a video file over the inclusive rows `rows` (as in `--rows Y0-Y1`).
  public static func make(from url: URL, column: Int, rows: ClosedRange<Int>) throws -> GrayImage {
    try make(from: url, column: column, rows: rows.lowerBound..<(rows.upperBound + 1))
  }

  /// The M-mode of frames already in memory (all of the same size).
  public static func make(from frames: [GrayImage], column: Int, rows: Range<Int>? = nil) throws -> GrayImage
  {
    guard let first = frames.first else {
      throw VideoError.invalidParameter(
        name: "frames", value: "[]", reason: "an M-mode needs at least one frame")
    }
    var builder = try Builder(
      file: "frames in memory", width: first.width, height: first.height, column: column, rows: rows)
    for frame in frames { builder.append(frame) }
    return builder.image
  }

  /// Collects one column per frame.
  struct Builder {
    let column: Int
    let rows: Range<Int>
    private var columns: [[UInt8]] = []

    init(file: String, width: Int, height: Int, column: Int, rows: Range<Int>?) throws {
      guard (0..<width).contains(column) else {
        throw VideoError.outOfRange(file: file, what: "column \(column)", reason: "frames are \(width) wide")
      }
      let rows = rows ?? 0..<height
      guard !rows.isEmpty, rows.lowerBound >= 0, rows.upperBound <= height else {
        throw VideoError.outOfRange(
          file: file, what: "rows \(rows.lowerBound)-\(rows.upperBound - 1)",
          reason: "frames are \(height) high")
      }
      self.column = column
      self.rows = rows
    }

    mutating func append(_ frame: GrayImage) {
      let width = frame.width
      columns.append(rows.map { frame.pixels[$0 * width + column] })
    }

    var image: GrayImage {
      let width = columns.count
      var pixels = [UInt8](repeating: 0, count: width * rows.count)
      for (x, values) in columns.enumerated() {
        for (y, value) in values.enumerated() { pixels[y * width + x] = value }
      }
      return GrayImage(width: width, height: rows.count, pixels: pixels)
    }
  }
}
