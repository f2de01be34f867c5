import Foundation

/// The `mmode` section of an M-mode recipe (`"kind": "mmode"`): how each video becomes M-mode
/// images, as in the M-mode baselines the study compares with (Jaščur et al. 2021: 64-frame
/// windows; VanBerlo et al. 2022: the brightest column of the pleural line).
///
/// ```json
/// "mmode": { "window": 64, "stride": 64, "sampling": "every", "columnStep": 8,
///            "topK": 3, "bandHeight": 32, "size": 64 }
/// ```
///
/// Per window of `window` frames (windows start every `stride` frames), each sampled pixel column
/// of the ROI is followed over the window's frames, from the ROI's top (the pleura) to its bottom:
/// an image of ROI height x `window`, depth down and time to the right, resized to `size` x
/// `size`. It is stored like a cube of one frame, `[1, size, size]`.
public struct MModeSettings: Codable, Sendable, Equatable {
  /// Which columns of the ROI are taken in each window.
  public enum Sampling: String, Codable, Sendable, CaseIterable {
    /// Every `columnStep`-th column across the ROI's width, from its left edge.
    case every
    /// The `topK` columns whose pixel sum over the pleural band (the ROI's top `bandHeight`
    /// rows) and the window's frames is highest: the pleural line where it is brightest.
    case brightest
  }

  /// Frames per window (the width, in time, of each M-mode image before resizing).
  public var window = 64
  /// Frames between the first frames of consecutive windows.
  public var stride = 64
  public var sampling = Sampling.every
  /// For `every`: the distance in conversion pixels between sampled columns.
  public var columnStep = 8
  /// For `brightest`: how many columns each window keeps, brightest first.
  public var topK = 3
  /// For `brightest`: rows from the ROI's top that make the pleural band.
  public var bandHeight = 32
  /// Side of the square image each M-mode is resized to.
  public var size = 64

  public init() {}

  enum CodingKeys: String, CodingKey {
    case window, stride, sampling, columnStep, topK, bandHeight, size
  }

  /// Fields left out take their defaults; a sampling that is not one of the known names is kept
  /// as a string here and refused by ``DatasetRecipe/validate()`` with the list of names.
  public init(from decoder: Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let defaults = MModeSettings()
    window = try container.decodeIfPresent(Int.self, forKey: .window) ?? defaults.window
    stride = try container.decodeIfPresent(Int.self, forKey: .stride) ?? defaults.stride
    let name = try container.decodeIfPresent(String.self, forKey: .sampling) ?? defaults.sampling.rawValue
    guard let sampling = Sampling(rawValue: name) else {
      throw MModeSettingsError.unknownSampling(name)
    }
    self.sampling = sampling
    columnStep = try container.decodeIfPresent(Int.self, forKey: .columnStep) ?? defaults.columnStep
    topK = try container.decodeIfPresent(Int.self, forKey: .topK) ?? defaults.topK
    bandHeight = try container.decodeIfPresent(Int.self, forKey: .bandHeight) ?? defaults.bandHeight
    size = try container.decodeIfPresent(Int.self, forKey: .size) ?? defaults.size
  }

  /// Image sides a recipe may ask for (as tiles).
  public static let sizes = 4...512
  /// The fewest ROI rows an M-mode is taken over: shallower ROIs are skipped, with the reason.
  public static let minimumDepth = 8

  /// The first problem with these settings, as the end of a sentence, or nil.
  func problem() -> String? {
    if !(1...600).contains(window) { return "mmode.window \(window) is outside 1...600" }
    if !(1...6000).contains(stride) { return "mmode.stride \(stride) is outside 1...6000" }
    if !(1...4096).contains(columnStep) { return "mmode.columnStep \(columnStep) is outside 1...4096" }
    if !(1...64).contains(topK) { return "mmode.topK \(topK) is outside 1...64" }
    if !(1...4096).contains(bandHeight) { return "mmode.bandHeight \(bandHeight) is outside 1...4096" }
    if !Self.sizes.contains(size) { return "mmode.size \(size) is outside \(Self.sizes)" }
    return nil
  }

  /// "64x64 M-mode images, 64-frame windows every 64 frames, every 8th column" (or "the 3
  /// brightest columns of the top 32 rows").
  public var description: String {
    let columns =
      switch sampling {
      case .every: columnStep == 1 ? "every column" : "every \(Self.ordinal(columnStep)) column"
      case .brightest:
        "the \(topK == 1 ? "" : "\(topK) ")brightest column\(topK == 1 ? "" : "s") of the top \(bandHeight) rows"
      }
    return "\(size)x\(size) M-mode images, \(window)-frame windows every \(stride) frames, \(columns)"
  }

  static func ordinal(_ n: Int) -> String {
    let suffix =
      (11...13).contains(n % 100) ? "th" : n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th"
    return "\(n)\(suffix)"
  }
}

enum MModeSettingsError: Error, CustomStringConvertible {
  case unknownSampling(String)

  var description: String {
    switch self {
    case .unknownSampling(let name):
      "mmode.sampling '\(name)' is not one of "
        + MModeSettings.Sampling.allCases.map(\.rawValue).joined(separator: ", ")
    }
  }
}
