/// A colour for drawing on an `RGBImage`.
public struct RGBColor: Hashable, Sendable {
  /// Red, 0–255.
  public var red: UInt8
  /// Green, 0–255.
  public var green: UInt8
  /// Blue, 0–255.
  public var blue: UInt8

  /// A colour from its three components.
  public init(red: UInt8, green: UInt8, blue: UInt8) {
    self.red = red
    self.green = green
    self.blue = blue
  }

  /// A grey level.
  public init(gray: UInt8) { self.init(red: gray, green: gray, blue: gray) }

  /// Pure white.
  public static let white = RGBColor(gray: 255)
  /// Pure black.
  public static let black = RGBColor(gray: 0)
  /// Saturated red.
  public static let red = RGBColor(red: 255, green: 0, blue: 0)
  /// Saturated green.
  public static let green = RGBColor(red: 0, green: 255, blue: 0)
  /// Yellow (good on grey ultrasound).
  public static let yellow = RGBColor(red: 255, green: 220, blue: 0)
}
