/// An 8-bit grey image, rows top to bottom, no padding between rows (`pixels.count == width * height`).
///
/// B-mode ultrasound is grey, so this is the currency of the video library: decoders produce it,
/// writers consume it.
public struct GrayImage: Hashable, Sendable {
  /// Width in pixels.
  public let width: Int
  /// Height in pixels.
  public let height: Int
  /// `width * height` luma values, row-major.
  public var pixels: [UInt8]

  /// Wraps existing pixels; `pixels.count` must equal `width * height`.
  public init(width: Int, height: Int, pixels: [UInt8]) {
    precondition(width > 0 && height > 0, "image size must be positive")
    precondition(pixels.count == width * height, "pixel count must be width * height")
    self.width = width
    self.height = height
    self.pixels = pixels
  }

  /// An image filled with one value (black by default).
  public init(width: Int, height: Int, fill: UInt8 = 0) {
    self.init(width: width, height: height, pixels: [UInt8](repeating: fill, count: width * height))
  }

  /// The pixel at column `x`, row `y`.
  public subscript(x: Int, y: Int) -> UInt8 {
    get { pixels[y * width + x] }
    set { pixels[y * width + x] = newValue }
  }

  /// Mean pixel value (0–255).
  public var meanBrightness: Double {
    var sum = 0
    for value in pixels { sum &+= Int(value) }
    return Double(sum) / Double(pixels.count)
  }
}

extension GrayImage {
  /// The part of the image in the rectangle (`x`, `y`, `width`, `height`), clipped to the image; nil when
  /// nothing of it lies inside.
  ///
  /// ```swift
  /// let tile = frame.cropped(x: 120, y: 200, width: 30, height: 30)
  /// ```
  public func cropped(x: Int, y: Int, width w: Int, height h: Int) -> GrayImage? {
    let x0 = max(0, x)
    let y0 = max(0, y)
    let x1 = min(width, x + w)
    let y1 = min(height, y + h)
    guard x0 < x1, y0 < y1 else { return nil }
    var result = [UInt8]()
    result.reserveCapacity((x1 - x0) * (y1 - y0))
    for row in y0..<y1 { result.append(contentsOf: pixels[(row * width + x0)..<(row * width + x1)]) }
    return GrayImage(width: x1 - x0, height: y1 - y0, pixels: result)
  }
}
