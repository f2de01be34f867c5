import Foundation

/// The kinds of catalog entity, each with its table and the prefix of its ids.
public enum EntityKind: String, Codable, CaseIterable, Sendable {
  case site, patient, sourceVideo = "source_video", conversion, roi = "roi_annotation",
    label = "label_annotation", dataset, cube, split, model, evaluation, run

  /// The table that holds this kind.
  public var table: String { rawValue }

  /// Ids of this kind start with this prefix and an underscore: `vid_3f9a0c12d4e5b6a7`.
  public var idPrefix: String {
    switch self {
    case .site: "site"
    case .patient: "pat"
    case .sourceVideo: "vid"
    case .conversion: "conv"
    case .roi: "roi"
    case .label: "lab"
    case .dataset: "ds"
    case .cube: "cube"
    case .split: "split"
    case .model: "model"
    case .evaluation: "eval"
    case .run: "run"
    }
  }

  /// A readable name for messages and listings.
  public var displayName: String {
    switch self {
    case .sourceVideo: "source video"
    case .roi: "ROI annotation"
    case .label: "label version"
    default: rawValue
    }
  }

  /// The command that lists entities of this kind with their ids, when there is one.
  public var listing: String? {
    switch self {
    case .patient: "pleura patients"
    case .sourceVideo: "pleura videos"
    case .dataset: "pleura dataset list"
    case .model: "pleura models"
    case .evaluation: "pleura evaluations"
    case .run: "pleura runs"
    case .roi: "pleura roi history VIDEO"
    case .label: "pleura label history VIDEO"
    case .site, .conversion, .cube, .split: nil
    }
  }

  /// "a source video", "an evaluation", "an ROI annotation".
  public var withArticle: String {
    let name = displayName
    return (name.hasPrefix("ROI") || "aeiou".contains(name.prefix(1)) ? "an " : "a ") + name
  }

  /// The kind an id belongs to, read from its prefix.
  public static func of(id: String) -> EntityKind? {
    guard let underscore = id.firstIndex(of: "_") else { return nil }
    let prefix = id[..<underscore]
    return allCases.first { $0.idPrefix == prefix }
  }

  /// A new random id of this kind. 64 random bits make ids unique across sites, so imported
  /// entities keep the ids their site gave them.
  public func newID() -> String {
    var generator = SystemRandomNumberGenerator()
    let bits = generator.next() as UInt64
    let hex = String(bits, radix: 16)
    return idPrefix + "_" + String(repeating: "0", count: 16 - hex.count) + hex
  }
}

/// A reference to one entity: its kind and id.
public struct EntityRef: Hashable, Codable, Sendable, CustomStringConvertible {
  public var kind: EntityKind
  public var id: String

  public init(_ kind: EntityKind, _ id: String) {
    self.kind = kind
    self.id = id
  }

  public var description: String { id }
}
