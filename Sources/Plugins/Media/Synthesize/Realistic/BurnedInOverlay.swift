import Foundation
import Platform
import Primitives

/// What a scanner burns into every frame and never changes: a text banner, a depth scale with a tick
/// per centimetre, a focus marker beside it and, sometimes, a horizontal caliper line across the
/// picture. The same pixels every frame: drawn last, over the echo data.
struct BurnedInOverlay: Sendable {
  /// Frame pixel index and value, in drawing order.
  let pixels: [(index: Int, value: UInt8)]
  /// The caliper line's row, when there is one (a static line a naive pleura search falls for).
  let caliperRow: Int?

  init(geometry: ScanGeometry, mask: ImageMask, depthCm: Double, generator: inout SeededGenerator) {
    var canvas = Canvas(width: geometry.width, height: geometry.height)
    let scale = geometry.height >= 360 ? 2 : 1
    let bright = UInt8(generator.uniform(190...255))
    // Text: a line or two in the black corners above the picture, where scanners print theirs.
    for corner in 0..<4 where generator.unit() < 0.6 {
      let lineCount = corner < 2 ? 1 + Int(generator.next() % 2) : 1
      for line in 0..<lineCount {
        let glyphs = 3 + Int(generator.next() % 8)
        let textWidth = glyphs * 4 * scale
        let textHeight = 5 * scale
        let x = corner % 2 == 0 ? 2 * scale : geometry.width - textWidth - 2 * scale
        let y =
          corner < 2
          ? 2 * scale + line * (textHeight + 2 * scale)
          : geometry.height - (textHeight + 2 * scale) * (line + 1)
        let box = PixelRect(x: x, y: y, width: textWidth, height: textHeight)
        guard x >= 0, y >= 0, box.maxX <= geometry.width, box.maxY <= geometry.height,
          mask.outsideFraction(of: box) > 0.9
        else { continue }
        canvas.text(x: x, y: y, glyphs: glyphs, scale: scale, value: bright, generator: &generator)
      }
    }
    // The depth scale: a tick per centimetre down the right side of the picture, longer every 5 cm.
    let rightmost = geometry.point(beam: Double(geometry.beams - 1), sample: Double(geometry.samples - 1)).x
    let pxPerCm = Double(geometry.samples) / depthCm
    let scaleX = min(geometry.width - 6 * scale, Int(rightmost.rounded()) + 3 * scale)
    let faceY = geometry.point(beam: Double(geometry.beams - 1) / 2, sample: 0).y
    if generator.unit() < 0.85 {
      var cm = 0
      while true {
        let y = Int((faceY + Double(cm) * pxPerCm).rounded())
        guard y < geometry.height else { break }
        if y >= 0 {
          canvas.fill(x: scaleX, y: y, width: (cm % 5 == 0 ? 5 : 3) * scale, height: scale, value: bright)
        }
        cm += 1
      }
      // The focus marker: a small triangle pointing at the picture at the focal depth.
      if generator.unit() < 0.7 {
        let focus = Int((faceY + Double(geometry.samples) * generator.uniform(0.25...0.7)).rounded())
        for row in -3 * scale...3 * scale where focus + row >= 0 && focus + row < geometry.height {
          let length = 3 * scale - abs(row)
          canvas.fill(
            x: scaleX - 2 * scale - length, y: focus + row, width: length + 1, height: 1, value: bright)
        }
      }
    }
    // A caliper line: a measurement left on screen, dotted or solid, with a cross at each end.
    var caliperRow: Int?
    if generator.unit() < 0.4 {
      let rows = (0..<geometry.height).filter { y in
        (0..<geometry.width).filter { mask[$0, y] }.count > geometry.width / 4
      }
      if let first = rows.first, let last = rows.last, last - first > 10 {
        let y = first + Int(Double(last - first) * generator.uniform(0.1...0.85))
        let inside = (0..<geometry.width).filter { mask[$0, y] }
        let span = Double(inside.count) * generator.uniform(0.3...0.8)
        let start = inside[0] + Int(Double(inside.count - Int(span)) * generator.unit())
        let dotted = generator.unit() < 0.5
        let value = UInt8(generator.uniform(200...255))
        for x in start..<(start + Int(span)) where !dotted || (x - start) % 4 < 2 {
          canvas.fill(x: x, y: y, width: 1, height: 1, value: value)
        }
        for end in [start, start + Int(span) - 1] {
          canvas.fill(x: end - 2 * scale, y: y, width: 4 * scale + 1, height: 1, value: value)
          canvas.fill(x: end, y: y - 2 * scale, width: 1, height: 4 * scale + 1, value: value)
        }
        caliperRow = y
      }
    }
    pixels = canvas.pixels
    self.caliperRow = caliperRow
  }

  /// Collects overlay pixels, clipped to the frame.
  struct Canvas {
    let width: Int
    let height: Int
    var pixels: [(index: Int, value: UInt8)] = []

    mutating func fill(x: Int, y: Int, width w: Int, height h: Int, value: UInt8) {
      for row in max(0, y)..<min(height, y + h) {
        for column in max(0, x)..<min(width, x + w) { pixels.append((row * width + column, value)) }
      }
    }

    /// Text-like marks: `glyphs` random 3x5 dot patterns a pixel apart, each dot `scale` px.
    mutating func text(
      x: Int, y: Int, glyphs: Int, scale: Int, value: UInt8, generator: inout SeededGenerator
    ) {
      for glyph in 0..<glyphs {
        // A space now and then, as between words.
        if glyph > 0, generator.next() % 6 == 0 { continue }
        var bits = generator.next()
        for row in 0..<5 {
          for column in 0..<3 {
            if bits & 1 == 1 || column == 0 && row % 4 == 0 {
              fill(
                x: x + (glyph * 4 + column) * scale, y: y + row * scale, width: scale, height: scale,
                value: value)
            }
            bits >>= 1
          }
        }
      }
    }
  }
}
