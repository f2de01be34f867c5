/// Drawing on RGB images: filled and outlined rectangles, grid lines, text. Everything is clipped to the
/// image, so shapes may extend past its edges.
extension RGBImage {
  /// Fills the rectangle (`x`, `y`, `width`, `height`).
  public mutating func fillRectangle(x: Int, y: Int, width w: Int, height h: Int, color: RGBColor) {
    let x0 = max(0, x)
    let y0 = max(0, y)
    let x1 = min(width, x + w)
    let y1 = min(height, y + h)
    guard x0 < x1, y0 < y1 else { return }
    for row in y0..<y1 {
      for column in x0..<x1 { self[column, row] = color }
    }
  }

  /// Outlines the rectangle (`x`, `y`, `width`, `height`) with lines `thickness` pixels wide, drawn inside it.
  ///
  /// ```swift
  /// var picture = RGBImage(frame)
  /// picture.strokeRectangle(x: roi.x, y: roi.y, width: roi.w, height: roi.h, color: .yellow)
  /// ```
  public mutating func strokeRectangle(
    x: Int, y: Int, width w: Int, height h: Int, color: RGBColor, thickness: Int = 1
  ) {
    let t = max(1, min(thickness, w, h))
    fillRectangle(x: x, y: y, width: w, height: t, color: color)
    fillRectangle(x: x, y: y + h - t, width: w, height: t, color: color)
    fillRectangle(x: x, y: y, width: t, height: h, color: color)
    fillRectangle(x: x + w - t, y: y, width: t, height: h, color: color)
  }

  /// Draws the lines of a grid of `columns` x `rows` cells of `cellWidth` x `cellHeight` starting at
  /// (`x`, `y`), outer border included (e.g. the tiles cut out of an ROI).
  public mutating func drawGrid(
    x: Int, y: Int, cellWidth: Int, cellHeight: Int, columns: Int, rows: Int, color: RGBColor,
    thickness: Int = 1
  ) {
    guard columns > 0, rows > 0, cellWidth > 0, cellHeight > 0 else { return }
    let totalWidth = columns * cellWidth
    let totalHeight = rows * cellHeight
    for column in 0...columns {
      let lineX = min(x + column * cellWidth, x + totalWidth - thickness)
      fillRectangle(x: lineX, y: y, width: thickness, height: totalHeight, color: color)
    }
    for row in 0...rows {
      let lineY = min(y + row * cellHeight, y + totalHeight - thickness)
      fillRectangle(x: x, y: lineY, width: totalWidth, height: thickness, color: color)
    }
  }

  /// Writes `text` with the built-in 5x7 bitmap font, top-left corner at (`x`, `y`), each font pixel
  /// drawn as a `scale` x `scale` square. Characters the font lacks are drawn as blanks.
  public mutating func drawText(_ text: String, x: Int, y: Int, color: RGBColor, scale: Int = 1) {
    var penX = x
    for character in text {
      if let rows = BitmapFont.glyph(character) {
        for (row, bits) in rows.enumerated() {
          for column in 0..<BitmapFont.glyphWidth
          where bits & (1 << (BitmapFont.glyphWidth - 1 - column)) != 0 {
            fillRectangle(
              x: penX + column * scale, y: y + row * scale, width: scale, height: scale, color: color)
          }
        }
      }
      penX += BitmapFont.advance * scale
    }
  }
}
