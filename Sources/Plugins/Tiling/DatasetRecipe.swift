import Foundation
import Media
import Platform

/// A recipe for a derived dataset, as the JSON files in `datasets/` spell it: video cubes (the
/// default kind), or M-mode images (`"kind": "mmode"` with an `mmode` section, see
/// ``MModeSettings``; such a recipe has no `tileSize`, `rows`, `framesPerCube` or `clipStride`).
///
/// ```json
/// { "name": "all_30x30", "tileSize": 30, "rows": "all", "framesPerCube": 60, "clipStride": 60,
///   "conversion": { "width": 640, "height": 480, "fpsNumerator": 30, "fpsDenominator": 1,
///                   "codec": "h264", "scaling": "stretch" },
///   "labels": ["present", "absent"], "patients": [], "leftovers": "drop" }
/// ```
public struct DatasetRecipe: Codable, Sendable, Equatable {
  /// Which conversions a recipe takes: those made with these transcode parameters (by default
  /// the study's: 640x480, 30 fps, H.264, stretched). `crf` and `preset` are free unless given.
  /// When a video has several such conversions, the plan takes the first made (``TilePlan``).
  public struct ConversionFilter: Codable, Sendable, Equatable, CustomStringConvertible {
    /// Transcode's defaults: the working format.
    private static let transcode = TranscodePlugin.Parameters()
    public var width = transcode.width
    public var height = transcode.height
    public var fpsNumerator = transcode.fpsNumerator
    public var fpsDenominator = transcode.fpsDenominator
    public var codec = transcode.codec
    public var scaling = transcode.scaling
    public var crf: Double?
    public var preset: String?
    public init() {}

    enum CodingKeys: String, CodingKey {
      case width, height, fpsNumerator, fpsDenominator, codec, scaling, crf, preset
    }

    /// Fields left out read as the study's values: recipes written before `codec` and `scaling`
    /// existed meant them.
    public init(from decoder: Decoder) throws {
      let container = try decoder.container(keyedBy: CodingKeys.self)
      let study = Self.transcode
      width = try container.decodeIfPresent(Int.self, forKey: .width) ?? study.width
      height = try container.decodeIfPresent(Int.self, forKey: .height) ?? study.height
      fpsNumerator = try container.decodeIfPresent(Int.self, forKey: .fpsNumerator) ?? study.fpsNumerator
      fpsDenominator =
        try container.decodeIfPresent(Int.self, forKey: .fpsDenominator) ?? study.fpsDenominator
      codec = try container.decodeIfPresent(String.self, forKey: .codec) ?? study.codec
      scaling = try container.decodeIfPresent(String.self, forKey: .scaling) ?? study.scaling
      crf = try container.decodeIfPresent(Double.self, forKey: .crf)
      preset = try container.decodeIfPresent(String.self, forKey: .preset)
    }

    /// Whether a conversion made with `parameters` is one this recipe takes.
    public func matches(_ parameters: TranscodePlugin.Parameters) -> Bool {
      parameters.width == width && parameters.height == height && parameters.fpsNumerator == fpsNumerator
        && parameters.fpsDenominator == fpsDenominator && parameters.codec == codec
        && parameters.scaling == scaling && crf.map { $0 == parameters.crf } ?? true
        && preset.map { $0 == parameters.preset } ?? true
    }

    /// "h264 640x480 30/1 fps stretch" (with crf and preset when the recipe fixes them).
    public var description: String {
      "\(codec) \(width)x\(height) \(fpsNumerator)/\(fpsDenominator) fps \(scaling)"
        + (crf.map { " crf " + String(format: "%g", $0) } ?? "") + (preset.map { " preset \($0)" } ?? "")
    }
  }

  /// What a dataset holds: video cubes, or M-mode images stored as cubes of one frame.
  public enum Kind: String, Codable, Sendable, CaseIterable {
    case cubes
    case mmode
  }

  public var name: String
  public var description: String = ""
  public var kind = Kind.cubes
  /// The M-mode settings of an `mmode` recipe; nil for cubes.
  public var mmode: MModeSettings?
  /// Side of the square tiles in conversion pixels.
  public var tileSize: Int
  /// `"all"`: every tile row that fits in the ROI; a number: the top that many rows (at the pleura).
  public var rows: String
  public var framesPerCube = 60
  /// Frames between the first frames of consecutive clips (60 = the study's non-overlapping 2 s clips).
  public var clipStride = 60
  public var conversion = ConversionFilter()
  /// Labels taken (videos with other labels are listed as skipped).
  public var labels: [String] = ["present", "absent"]
  /// Patient codes taken; empty for every patient.
  public var patients: [String] = []
  /// What happens to frames after the last whole clip: `drop` them (the study), or `overlap` a
  /// last clip that ends at the video's last frame.
  public var leftovers = "drop"

  public init(name: String, tileSize: Int, rows: String) {
    self.name = name
    self.tileSize = tileSize
    self.rows = rows
  }

  /// An M-mode recipe. The cube fields keep fixed values that nothing reads (see
  /// `DatasetRecipe+Kind.swift`), so that two equal M-mode recipes compare equal.
  public init(name: String, mmode: MModeSettings) {
    self.name = name
    self.kind = .mmode
    self.mmode = mmode
    self.tileSize = Self.unusedTileSize
    self.rows = "all"
  }

  enum CodingKeys: String, CodingKey {
    case name, description, kind, mmode, tileSize, rows, framesPerCube, clipStride, conversion, labels,
      patients, leftovers
  }

  public init(from decoder: Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    name = try container.decode(String.self, forKey: .name)
    description = try container.decodeIfPresent(String.self, forKey: .description) ?? ""
    let kindName = try container.decodeIfPresent(String.self, forKey: .kind) ?? Kind.cubes.rawValue
    guard let kind = Kind(rawValue: kindName) else {
      throw RecipeError.invalid(
        name: name,
        reason: "kind '\(kindName)' is not one of \(Kind.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    self.kind = kind
    switch kind {
    case .cubes:
      guard !container.contains(.mmode) else {
        throw RecipeError.invalid(name: name, reason: "an mmode section needs \"kind\": \"mmode\"")
      }
      tileSize = try container.decode(Int.self, forKey: .tileSize)
      rows = try container.decode(String.self, forKey: .rows)
      framesPerCube = try container.decodeIfPresent(Int.self, forKey: .framesPerCube) ?? 60
      clipStride = try container.decodeIfPresent(Int.self, forKey: .clipStride) ?? 60
    case .mmode:
      // One spelling of each setting: the cube fields would say the same thing a second way.
      let stray = [CodingKeys.tileSize, .rows, .framesPerCube, .clipStride].filter { container.contains($0) }
      guard stray.isEmpty else {
        throw RecipeError.invalid(
          name: name,
          reason: "\(stray.map(\.stringValue).joined(separator: ", ")) do not apply to an M-mode recipe "
            + "(set mmode.window, mmode.stride and mmode.size)")
      }
      do {
        mmode = try container.decodeIfPresent(MModeSettings.self, forKey: .mmode) ?? MModeSettings()
      } catch let error as MModeSettingsError {
        throw RecipeError.invalid(name: name, reason: error.description)
      }
      tileSize = Self.unusedTileSize
      rows = "all"
    }
    conversion =
      try container.decodeIfPresent(ConversionFilter.self, forKey: .conversion) ?? ConversionFilter()
    labels = try container.decodeIfPresent([String].self, forKey: .labels) ?? ["present", "absent"]
    patients = try container.decodeIfPresent([String].self, forKey: .patients) ?? []
    leftovers = try container.decodeIfPresent(String.self, forKey: .leftovers) ?? "drop"
  }

  /// A cube recipe is written with exactly the fields it had before kinds existed (so its
  /// canonical JSON, and the identity of its runs, is unchanged); an M-mode recipe without the
  /// cube fields it does not use.
  public func encode(to encoder: Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(name, forKey: .name)
    try container.encode(description, forKey: .description)
    switch kind {
    case .cubes:
      try container.encode(tileSize, forKey: .tileSize)
      try container.encode(rows, forKey: .rows)
      try container.encode(framesPerCube, forKey: .framesPerCube)
      try container.encode(clipStride, forKey: .clipStride)
      try container.encodeIfPresent(mmode, forKey: .mmode)
    case .mmode:
      try container.encode(kind, forKey: .kind)
      try container.encodeIfPresent(mmode, forKey: .mmode)
    }
    try container.encode(conversion, forKey: .conversion)
    try container.encode(labels, forKey: .labels)
    try container.encode(patients, forKey: .patients)
    try container.encode(leftovers, forKey: .leftovers)
  }

  /// The top rows kept, or nil for all of them.
  public var rowLimit: Int? { rows == "all" ? nil : Int(rows) }

  /// Tile sides in pixels that a recipe (and `pleura roi show --tile`) may ask for.
  public static let tileSizes = 4...512

  public func validate() throws {
    func fail(_ reason: String) -> RecipeError { RecipeError.invalid(name: name, reason: reason) }
    guard (try? RecordRules.datasetName(name)) != nil else {
      throw fail("name must be 1-64 letters, digits, '_', '-' or '.'")
    }
    switch (kind, mmode) {
    case (.cubes, nil): try validateCubes()
    case (.cubes, .some): throw fail("an mmode section needs \"kind\": \"mmode\"")
    case (.mmode, nil): throw fail("an M-mode recipe needs an mmode section")
    case (.mmode, .some(let settings)): if let problem = settings.problem() { throw fail(problem) }
    }
    try validateCommon()
  }

  private func validateCubes() throws {
    func fail(_ reason: String) -> RecipeError { RecipeError.invalid(name: name, reason: reason) }
    guard Self.tileSizes.contains(tileSize) else {
      throw fail("tileSize \(tileSize) is outside \(Self.tileSizes)")
    }
    guard rows == "all" || (rowLimit ?? 0) >= 1 else {
      throw fail("rows '\(rows)' is not \"all\" or a positive number")
    }
    guard (1...600).contains(framesPerCube) else {
      throw fail("framesPerCube \(framesPerCube) is outside 1...600")
    }
    guard (1...6000).contains(clipStride) else { throw fail("clipStride \(clipStride) is outside 1...6000") }
  }

  private func validateCommon() throws {
    func fail(_ reason: String) -> RecipeError { RecipeError.invalid(name: name, reason: reason) }
    guard ["drop", "overlap"].contains(leftovers) else {
      throw fail("leftovers '\(leftovers)' is not drop or overlap")
    }
    for label in labels where SlidingLabel(rawValue: label) == nil {
      throw fail("label '\(label)' is not one of present, absent, unknown")
    }
    guard !labels.isEmpty else { throw fail("labels is empty") }
    let codecs = TranscodePlugin.codecNames
    guard codecs.contains(conversion.codec) else {
      throw fail("conversion codec '\(conversion.codec)' is not one of \(codecs.joined(separator: ", "))")
    }
    guard ScalingMode(rawValue: conversion.scaling) != nil else {
      throw fail("conversion scaling '\(conversion.scaling)' is not stretch or letterbox")
    }
  }

  /// Reads a recipe from a file, or by name from the recipes compiled into Pleura.
  public static func load(_ reference: String) throws -> DatasetRecipe {
    let data: Data
    if FileManager.default.fileExists(atPath: reference) {
      guard let contents = FileManager.default.contents(atPath: reference) else {
        throw RecipeError.unreadable(reference)
      }
      data = contents
    } else if let embedded = EmbeddedResources.datasetRecipes.first(where: {
      $0.name == reference || $0.name == reference + ".json"
        || $0.name == URL(fileURLWithPath: reference).lastPathComponent
    }) {
      data = Data(embedded.text.utf8)
    } else {
      throw RecipeError.notFound(reference, known: builtinNames)
    }
    let recipe: DatasetRecipe
    do {
      recipe = try JSONDecoder().decode(DatasetRecipe.self, from: data)
    } catch let error as RecipeError {
      throw error
    } catch {
      throw RecipeError.malformed(reference, reason: "\(error)")
    }
    try recipe.validate()
    return recipe
  }

  public static var builtinNames: [String] {
    EmbeddedResources.datasetRecipes.map { String($0.name.dropLast(".json".count)) }.filter {
      $0 != "paper-grid"
    }
  }
}

public enum RecipeError: Error, CustomStringConvertible {
  case unreadable(String)
  case notFound(String, known: [String])
  case malformed(String, reason: String)
  case invalid(name: String, reason: String)

  public var description: String {
    switch self {
    case .unreadable(let path): "\(path): cannot be read"
    case .notFound(let reference, let known):
      "no recipe file or built-in recipe '\(reference)' (built in: \(known.joined(separator: ", ")))"
    case .malformed(let reference, let reason): "\(reference): not a dataset recipe (\(reason))"
    case .invalid(let name, let reason): "recipe \(name): \(reason)"
    }
  }
}
