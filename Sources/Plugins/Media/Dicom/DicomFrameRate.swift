/// The frame rate a multi-frame DICOM declares, exact where its text allows.
///
/// Frame Time (0018,1063) is a decimal string of milliseconds per frame, so "33.333" gives exactly
/// 1000000/33333 fps. Frame Time Vector (0018,1065) lists each frame's time since the previous one
/// (the first is 0): a constant vector is read like Frame Time, a varying one gives its mean rate.
/// Cine Rate (0018,0040) and Recommended Display Frame Rate (0008,2144) are whole frames per second.
enum DicomFrameRate {
  /// The first usable of Frame Time, Frame Time Vector, Cine Rate and Recommended Display Frame Rate.
  static func rate(of file: DicomFile) -> VideoRational? {
    if let text = file.string(.frameTime), let rate = fromFrameTime(text) { return rate }
    if let text = file.string(.frameTimeVector), let rate = fromFrameTimeVector(text) { return rate }
    for tag in [DicomTag.cineRate, .recommendedDisplayFrameRate] {
      if let value = file.integer(tag), value > 0, value <= maximumRate {
        return VideoRational(integer: value)
      }
    }
    return nil
  }

  /// Rates above this are not ultrasound cine loops but damaged headers.
  static let maximumRate = 1000

  /// 1000 / milliseconds, exact: a decimal string of n significant digits is a ratio of integers.
  static func fromFrameTime(_ text: String) -> VideoRational? {
    guard let (numerator, denominator) = decimal(text.trimmingCharacters(in: .whitespaces)),
      numerator > 0
    else { return nil }
    // fps = 1000 / (numerator / denominator) = 1000 * denominator / numerator
    let (product, overflow) = denominator.multipliedReportingOverflow(by: 1000)
    guard !overflow else { return nil }
    let rate = VideoRational(product, numerator)
    guard rate.doubleValue <= Double(maximumRate), rate.doubleValue >= 0.01 else { return nil }
    // The catalog stores rates as 32-bit rationals (as FFmpeg does); approximate beyond that.
    if rate.numerator > Int(Int32.max) || rate.denominator > Int(Int32.max) {
      return VideoRational(approximating: rate.doubleValue)
    }
    return rate
  }

  static func fromFrameTimeVector(_ text: String) -> VideoRational? {
    let values = text.split(separator: "\\").map { $0.trimmingCharacters(in: .whitespaces) }
    let intervals = values.dropFirst().filter { !$0.isEmpty }
    guard let first = intervals.first else { return nil }
    if intervals.allSatisfy({ $0 == first }) { return fromFrameTime(first) }
    let milliseconds = intervals.compactMap { Double($0) }
    guard milliseconds.count == intervals.count, milliseconds.allSatisfy({ $0 > 0 && $0.isFinite }) else {
      return nil
    }
    let mean = milliseconds.reduce(0, +) / Double(milliseconds.count)
    let rate = 1000 / mean
    guard rate <= Double(maximumRate), rate >= 0.01 else { return nil }
    return VideoRational(approximating: rate)
  }

  /// A DS value ("33.333", "4E1", "-0.5") as numerator / denominator; nil when it is not one.
  static func decimal(_ text: String) -> (Int, Int)? {
    var mantissa = text
    var exponent = 0
    if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
      guard let value = Int(text[text.index(after: e)...]), abs(value) <= 12 else { return nil }
      exponent = value
      mantissa = String(text[..<e])
    }
    var negative = false
    if mantissa.hasPrefix("-") || mantissa.hasPrefix("+") {
      negative = mantissa.hasPrefix("-")
      mantissa.removeFirst()
    }
    let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count <= 2, !mantissa.isEmpty, mantissa != "." else { return nil }
    let whole = String(parts[0])
    let fraction = parts.count == 2 ? String(parts[1]) : ""
    guard (whole + fraction).allSatisfy(\.isASCII), (whole + fraction).allSatisfy(\.isNumber),
      whole.count + fraction.count <= 16
    else { return nil }
    guard var numerator = Int(whole + fraction) else { return nil }
    var denominator = 1
    for _ in 0..<fraction.count { denominator *= 10 }
    if exponent > 0 {
      for _ in 0..<exponent {
        let (next, overflow) = numerator.multipliedReportingOverflow(by: 10)
        guard !overflow else { return nil }
        numerator = next
      }
    } else {
      for _ in 0..<(-exponent) {
        let (next, overflow) = denominator.multipliedReportingOverflow(by: 10)
        guard !overflow else { return nil }
        denominator = next
      }
    }
    return (negative ? -numerator : numerator, denominator)
  }
}
