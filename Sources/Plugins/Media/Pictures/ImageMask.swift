import Platform
import Primitives

/// A set of pixels of a `width x height` picture (row-major), e.g. where a video carries echo data.
public struct ImageMask: Hashable, Sendable {
  public let width: Int
  public let height: Int
  /// `width * height` flags, row-major.
  public var bits: [Bool]

  public init(width: Int, height: Int, bits: [Bool]) {
    precondition(bits.count == width * height, "mask size must be width * height")
    self.width = width
    self.height = height
    self.bits = bits
  }

  /// A mask with every pixel set to `value`.
  public init(width: Int, height: Int, filled value: Bool) {
    self.init(width: width, height: height, bits: [Bool](repeating: value, count: width * height))
  }

  public subscript(x: Int, y: Int) -> Bool {
    get { bits[y * width + x] }
    set { bits[y * width + x] = newValue }
  }

  /// Number of pixels set.
  public var count: Int { bits.reduce(0) { $0 + ($1 ? 1 : 0) } }

  /// Pixels of `rect` (clipped to the picture) that are set, and the rectangle's whole area; the area
  /// outside the picture counts as not set.
  public func coverage(of rect: PixelRect) -> (inside: Int, area: Int) {
    var inside = 0
    for y in max(0, rect.y)..<min(height, rect.maxY) {
      for x in max(0, rect.x)..<min(width, rect.maxX) where bits[y * width + x] { inside += 1 }
    }
    return (inside, rect.area)
  }

  /// Share of `rect`'s area that is not set (0 when the rectangle lies wholly inside the mask).
  public func outsideFraction(of rect: PixelRect) -> Double {
    let (inside, area) = coverage(of: rect)
    return area > 0 ? Double(area - inside) / Double(area) : 0
  }
}
