import Platform

/// A frame with the ROI (yellow; red and dashed when a low-confidence suggestion made it) and the tile
/// grid laid from its top-left corner (green), so a curator sees at a glance which tiles a dataset will
/// cut and whether the box deserves a second look.
public enum RoiOverlay {
  public static func draw(frame: GrayImage, roi: PixelRect, tile: Int, lowConfidence: Bool = false)
    -> RGBImage
  {
    var image = RGBImage(frame)
    if tile > 0 {
      let columns = roi.width / tile
      let rows = roi.height / tile
      for row in 0...rows where rows > 0 {
        image.fillRectangle(
          x: roi.x, y: min(roi.y + row * tile, image.height - 1), width: columns * tile, height: 1,
          color: .green)
      }
      for column in 0...columns where columns > 0 {
        image.fillRectangle(
          x: min(roi.x + column * tile, image.width - 1), y: roi.y, width: 1, height: rows * tile,
          color: .green)
      }
    }
    if lowConfidence {
      // Dashes of 6 px, two pixels wide: unmistakable next to a confident (solid yellow) box.
      for (x, y, horizontal, length) in [
        (roi.x, roi.y, true, roi.width), (roi.x, roi.maxY - 2, true, roi.width),
        (roi.x, roi.y, false, roi.height),
        (roi.maxX - 2, roi.y, false, roi.height),
      ] {
        for start in stride(from: 0, to: length, by: 12) {
          let dash = min(6, length - start)
          image.fillRectangle(
            x: horizontal ? x + start : x, y: horizontal ? y : y + start, width: horizontal ? dash : 2,
            height: horizontal ? 2 : dash, color: .red)
        }
      }
    } else {
      image.strokeRectangle(x: roi.x, y: roi.y, width: roi.width, height: roi.height, color: .yellow)
    }
    return image
  }
}
