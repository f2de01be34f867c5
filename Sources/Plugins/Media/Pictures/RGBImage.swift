/// An 8-bit RGB image, rows top to bottom, 3 interleaved bytes per pixel, no row padding.
public struct RGBImage: Hashable, Sendable {
  /// Width in pixels.
  public let width: Int
  /// Height in pixels.
  public let height: Int
  /// `width * height * 3` bytes: R, G, B per pixel, row-major.
  public var pixels: [UInt8]

  /// An image filled with `fill`.
  public init(width: Int, height: Int, fill: RGBColor = .black) {
    precondition(width > 0 && height > 0, "image size must be positive")
    self.width = width
    self.height = height
    var pixels = [UInt8](repeating: 0, count: width * height * 3)
    for i in stride(from: 0, to: pixels.count, by: 3) {
      pixels[i] = fill.red
      pixels[i + 1] = fill.green
      pixels[i + 2] = fill.blue
    }
    self.pixels = pixels
  }

  /// The grey image as RGB (each grey value copied into all three channels).
  public init(_ gray: GrayImage) {
    width = gray.width
    height = gray.height
    pixels = [UInt8](unsafeUninitializedCapacity: gray.pixels.count * 3) { buffer, count in
      for (i, value) in gray.pixels.enumerated() {
        buffer[3 * i] = value
        buffer[3 * i + 1] = value
        buffer[3 * i + 2] = value
      }
      count = gray.pixels.count * 3
    }
  }

  /// The colour at column `x`, row `y`.
  public subscript(x: Int, y: Int) -> RGBColor {
    get {
      let i = 3 * (y * width + x)
      return RGBColor(red: pixels[i], green: pixels[i + 1], blue: pixels[i + 2])
    }
    set {
      let i = 3 * (y * width + x)
      pixels[i] = newValue.red
      pixels[i + 1] = newValue.green
      pixels[i + 2] = newValue.blue
    }
  }

  /// Copies `gray` into this image with its top-left corner at (`x`, `y`), clipped to the image.
  public mutating func paste(_ gray: GrayImage, x: Int, y: Int) {
    for row in max(0, -y)..<min(gray.height, height - y) {
      for column in max(0, -x)..<min(gray.width, width - x) {
        self[x + column, y + row] = RGBColor(gray: gray[column, row])
      }
    }
  }
}
