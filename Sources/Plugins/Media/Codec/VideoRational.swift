import CFFmpeg
import Foundation

/// An exact rational number, used for frame rates (`30/1`, `187000/9789`) and time bases (`1/15360`).
///
/// ```swift
/// let rate = VideoRational(187_000, 9_789)   // 19.103... fps
/// rate.doubleValue                            // 19.1030...
/// ```
public struct VideoRational: Hashable, Sendable, CustomStringConvertible {
  /// Numerator.
  public var numerator: Int
  /// Denominator (positive for a valid value).
  public var denominator: Int

  /// Makes `numerator / denominator`, reduced to lowest terms.
  public init(_ numerator: Int, _ denominator: Int) {
    var n = numerator
    var d = denominator
    if d < 0 {
      n = -n
      d = -d
    }
    let g = Self.gcd(abs(n), d)
    self.numerator = g > 1 ? n / g : n
    self.denominator = g > 1 ? d / g : d
  }

  /// A whole number of frames per second (`30` → `30/1`).
  public init(integer value: Int) { self.init(value, 1) }

  /// The closest rational with a denominator of at most `maxDenominator` (e.g. 22.25 → 89/4).
  public init(approximating value: Double, maxDenominator: Int = 1_000_000) {
    let q = av_d2q(value, Int32(clamping: maxDenominator))
    self.init(Int(q.num), Int(q.den))
  }

  /// Parses `"30"`, `"30/1"`, `"187000/9789"`, `"30000:1001"` or a decimal such as `"22.25"` (made exact:
  /// 89/4); nil for anything else or a non-positive value.
  public init?(_ text: String) {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    if let separator = trimmed.firstIndex(where: { $0 == "/" || $0 == ":" }) {
      guard let n = Int(trimmed[..<separator]), let d = Int(trimmed[trimmed.index(after: separator)...]),
        n > 0, d > 0
      else { return nil }
      self.init(n, d)
    } else if let whole = Int(trimmed), whole > 0 {
      self.init(whole, 1)
    } else if let value = Double(trimmed), value > 0, value.isFinite {
      self.init(approximating: value)
    } else {
      return nil
    }
  }

  /// The value as a floating-point number.
  public var doubleValue: Double { Double(numerator) / Double(denominator) }

  /// `true` when both terms are positive.
  public var isPositive: Bool { numerator > 0 && denominator > 0 }

  /// The reciprocal (`30/1` → `1/30`).
  public var inverse: VideoRational { VideoRational(denominator, numerator) }

  /// `"30/1"`, `"187000/9789"`.
  public var description: String { "\(numerator)/\(denominator)" }

  /// As a user writes it: `30` for a whole rate, `30000/1001` otherwise.
  public var shortDescription: String { denominator == 1 ? "\(numerator)" : description }

  var av: AVRational { AVRational(num: Int32(clamping: numerator), den: Int32(clamping: denominator)) }

  init(_ value: AVRational) { self.init(Int(value.num), Int(value.den)) }

  private static func gcd(_ a: Int, _ b: Int) -> Int {
    var x = a
    var y = b
    while y != 0 { (x, y) = (y, x % y) }
    return x
  }
}
