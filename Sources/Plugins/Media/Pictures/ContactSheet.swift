import Foundation

/// A contact sheet: a grid of evenly spaced frames of a video, each labelled with its time.
///
/// ```swift
/// let sheet = try ContactSheet.make(from: clip, columns: 4, rows: 3)
/// try PNGWriter.write(sheet, to: URL(fileURLWithPath: "sheet.png"))
/// ```
public enum ContactSheet {
  /// Space between and around thumbnails, in pixels.
  static let margin = 4

  /// Makes the sheet: `columns x rows` thumbnails `thumbnailWidth` wide (aspect ratio kept), showing the
  /// frames on screen at `k × duration / count` for k = 0, 1, ...; labels like `12.34S` use the built-in font.
  public static func make(
    from url: URL, columns: Int = 4, rows: Int = 3, thumbnailWidth: Int = 200
  ) throws -> RGBImage {
    guard columns > 0, rows > 0, thumbnailWidth >= 16 else {
      throw VideoError.invalidParameter(
        name: "contact sheet layout", value: "\(columns)x\(rows), thumbnails \(thumbnailWidth) px",
        reason: "needs at least one column and row and thumbnails of 16 px or more")
    }
    let count = columns * rows
    var duration = try VideoDecoders.open(url).info.duration
    if duration <= 0 { duration = try measuredDuration(url) }
    let targets = (0..<count).map { Double($0) * duration / Double(count) }

    // One decoding pass: keep, for each target time, the last frame shown at or before it.
    let decoder = try VideoDecoders.open(url)
    var picked: [(seconds: Double, image: GrayImage)?] = Array(repeating: nil, count: count)
    var next = 0
    var previous: DecodedFrame?
    while next < count, let frame = try decoder.nextFrame() {
      while next < count, frame.seconds > targets[next] + 0.0005 {
        // Before the first frame's time there is nothing on screen yet: show the first frame.
        let shown = previous ?? frame
        picked[next] = (shown.seconds, shown.image)
        next += 1
      }
      previous = frame
    }
    while next < count, let previous {
      picked[next] = (previous.seconds, previous.image)
      next += 1
    }
    guard let first = picked.compactMap({ $0 }).first else { throw VideoError.noFrames(file: url.path) }

    let thumbnailHeight = max(
      1, Int((Double(first.image.height) * Double(thumbnailWidth) / Double(first.image.width)).rounded()))
    let scale = thumbnailWidth >= 160 ? 2 : 1
    let labelHeight = BitmapFont.glyphHeight * scale + 2 * margin
    let cellWidth = thumbnailWidth + margin
    let cellHeight = thumbnailHeight + labelHeight
    var sheet = RGBImage(
      width: columns * cellWidth + margin, height: rows * cellHeight + margin, fill: RGBColor(gray: 32))
    let scaler = GrayScaler(width: thumbnailWidth, height: thumbnailHeight, mode: .letterbox)
    for (k, entry) in picked.enumerated() {
      guard let entry else { continue }
      let x = margin + (k % columns) * cellWidth
      let y = margin + (k / columns) * cellHeight
      sheet.paste(try scaler.scale(entry.image), x: x, y: y)
      sheet.drawText(
        String(format: "%.2fs", entry.seconds), x: x, y: y + thumbnailHeight + margin, color: .white,
        scale: scale)
    }
    return sheet
  }

  private static func measuredDuration(_ url: URL) throws -> Double {
    let decoder = try VideoDecoders.open(url)
    var end = 0.0
    while let frame = try decoder.nextFrame() { end = frame.endSeconds }
    return end
  }
}
