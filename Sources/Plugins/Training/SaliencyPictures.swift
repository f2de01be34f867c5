import Foundation
import Media

/// The pictures of the study's Figure 5: input frames over the vanilla map over SmoothGrad.
enum SaliencyPictures {
  /// The "hot" colour map: black, red, yellow, white.
  static func hot(_ t: Float) -> RGBColor {
    func channel(_ v: Float) -> UInt8 { UInt8(max(0, min(1, v)) * 255) }
    return RGBColor(red: channel(3 * t), green: channel(3 * t - 1), blue: channel(3 * t - 2))
  }

  /// One strip per cube: `frames` shown are every `every`th; `maps` holds the normalised vanilla
  /// and SmoothGrad maps in [0, 1], each frames x size x size.
  struct Cube {
    var title: String
    var input: [Float]
    var vanilla: [Float]
    var smooth: [Float]
  }

  static func strip(_ cubes: [Cube], frames: Int, size: Int, every: Int) -> RGBImage {
    let scale = max(1, 96 / size)
    let tile = size * scale
    let shown = Array(stride(from: 0, to: frames, by: max(1, every)))
    let margin = 84
    let gap = 4
    let rowHeight = tile + gap
    let blockHeight = 14 + 12 + 3 * rowHeight + 10
    var image = RGBImage(
      width: margin + shown.count * (tile + gap), height: max(1, cubes.count) * blockHeight, fill: .black)
    for (c, cube) in cubes.enumerated() {
      let top = c * blockHeight
      image.drawText(cube.title, x: 4, y: top + 4, color: .white)
      for (column, frame) in shown.enumerated() {
        image.drawText("F\(frame + 1)", x: margin + column * (tile + gap), y: top + 16, color: .yellow)
      }
      for (row, (label, values)) in [
        ("INPUT", cube.input), ("VANILLA", cube.vanilla), ("SMOOTHGRAD", cube.smooth),
      ]
      .enumerated() {
        let y0 = top + 28 + row * rowHeight
        image.drawText(label, x: 4, y: y0 + tile / 2 - 3, color: .white)
        for (column, frame) in shown.enumerated() {
          let x0 = margin + column * (tile + gap)
          for y in 0..<tile {
            for x in 0..<tile {
              let v = values[(frame * size + y / scale) * size + x / scale]
              image[x0 + x, y0 + y] = row == 0 ? RGBColor(gray: UInt8(max(0, min(1, v)) * 255)) : hot(v)
            }
          }
        }
      }
    }
    return image
  }

  /// Full frames of one clip with the saliency of its tiles blended over the ROI: row 1 the
  /// frames, row 2 vanilla, row 3 SmoothGrad; frames halved in size.
  static func overlay(
    frames: [GrayImage], frameNumbers: [Int], tiles: [(x: Int, y: Int, vanilla: [Float], smooth: [Float])],
    firstFrame: Int, size: Int, roi: (x: Int, y: Int, width: Int, height: Int), title: String
  ) -> RGBImage {
    guard let first = frames.first else { return RGBImage(width: 1, height: 1) }
    let w = first.width / 2
    let h = first.height / 2
    let gap = 4
    let top = 16
    var image = RGBImage(
      width: frames.count * (w + gap), height: top + 3 * (h + gap), fill: .black)
    image.drawText(title, x: 4, y: 4, color: .white)
    for (column, frame) in frames.enumerated() {
      let offset = frameNumbers[column] - firstFrame
      for row in 0..<3 {
        let x0 = column * (w + gap)
        let y0 = top + row * (h + gap)
        for y in 0..<h {
          for x in 0..<w {
            image[x0 + x, y0 + y] = RGBColor(
              gray: frame[min(first.width - 1, 2 * x), min(first.height - 1, 2 * y)])
          }
        }
        if row > 0 {
          for tile in tiles {
            let values = row == 1 ? tile.vanilla : tile.smooth
            for y in stride(from: 0, to: size, by: 2) {
              for x in stride(from: 0, to: size, by: 2) {
                let v = values[(offset * size + y) * size + x]
                let px = x0 + (tile.x + x) / 2
                let py = y0 + (tile.y + y) / 2
                guard px < x0 + w, py < y0 + h else { continue }
                let base = image[px, py]
                let heat = hot(v)
                let alpha = min(1, v * 1.5)
                func mix(_ a: UInt8, _ b: UInt8) -> UInt8 { UInt8(Float(a) * (1 - alpha) + Float(b) * alpha) }
                image[px, py] = RGBColor(
                  red: mix(base.red, heat.red), green: mix(base.green, heat.green),
                  blue: mix(base.blue, heat.blue))
              }
            }
          }
        }
        image.strokeRectangle(
          x: x0 + roi.x / 2, y: y0 + roi.y / 2, width: roi.width / 2, height: roi.height / 2, color: .green)
      }
      image.drawText("F\(frameNumbers[column] + 1)", x: column * (w + gap) + 4, y: top + 4, color: .yellow)
    }
    return image
  }
}
