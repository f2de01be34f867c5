/// An axis-aligned rectangle in pixel coordinates: top-left corner (`x`, `y`), `width` x `height`.
public struct PixelRect: Hashable, Sendable, Codable, CustomStringConvertible {
  /// Left column.
  public var x: Int
  /// Top row.
  public var y: Int
  /// Width in pixels.
  public var width: Int
  /// Height in pixels.
  public var height: Int

  /// A rectangle from its corner and size.
  public init(x: Int, y: Int, width: Int, height: Int) {
    self.x = x
    self.y = y
    self.width = width
    self.height = height
  }

  /// `"x,y wxh"`.
  public var description: String { "\(x),\(y) \(width)x\(height)" }
}
