import Platform

/// A frame with the ROI (yellow) and the tile grid laid from its top-left corner (green), so a
/// curator sees at a glance which tiles a dataset will cut.
public enum RoiOverlay {
  public static func draw(frame: GrayImage, roi: PixelRect, tile: Int) -> RGBImage {
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
    image.strokeRectangle(x: roi.x, y: roi.y, width: roi.width, height: roi.height, color: .yellow)
    return image
  }
}
