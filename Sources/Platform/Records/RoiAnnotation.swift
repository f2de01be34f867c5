import GRDB

/// A pixel rectangle: origin at the top-left corner, x to the right, y down.
public struct PixelRect: Codable, Hashable, Sendable, CustomStringConvertible {
  public var x: Int
  public var y: Int
  public var width: Int
  public var height: Int

  public init(x: Int, y: Int, width: Int, height: Int) {
    self.x = x
    self.y = y
    self.width = width
    self.height = height
  }

  /// Parses `X,Y,W,H`.
  public init?(parsing text: String) {
    let parts = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard parts.count == 4, let x = parts[0], let y = parts[1], let w = parts[2], let h = parts[3] else {
      return nil
    }
    self.init(x: x, y: y, width: w, height: h)
  }

  public var description: String { "\(x),\(y),\(width),\(height)" }
  public var maxX: Int { x + width }
  public var maxY: Int { y + height }
  public var area: Int { width * height }

  /// Intersection over union with another rectangle.
  public func iou(_ other: PixelRect) -> Double {
    let w = max(0, min(maxX, other.maxX) - max(x, other.x))
    let h = max(0, min(maxY, other.maxY) - max(y, other.y))
    let intersection = Double(w * h)
    let union = Double(area + other.area) - intersection
    return union > 0 ? intersection / union : 0
  }
}

/// One version of a video's pleural region of interest. Versions are never updated or deleted:
/// an edit adds version n+1 that supersedes version n.
public struct RoiAnnotation: VersionedVideoAnnotation, Equatable {
  public static let databaseTableName = "roi_annotation"
  public enum Columns {
    public static let id = Column("id")
    public static let sourceVideoId = Column("source_video_id")
    public static let version = Column("version")
    public static let adjudicated = Column("adjudicated")
    public static let author = Column("author")
  }

  public var id: String
  public var siteId: String
  public var sourceVideoId: String
  /// The conversion whose pixels the rectangle is in; nil for the source video's own pixels.
  public var conversionId: String?
  public var version: Int
  public var x: Int
  public var y: Int
  public var width: Int
  public var height: Int
  /// First and last frame (inclusive) of the frames the region holds for, in the same space.
  public var frameStart: Int?
  public var frameEnd: Int?
  public var author: String
  public var supersedesId: String?
  public var createdAt: String
  /// A reviewer's decision: the current ROI until a later adjudicated version.
  public var adjudicated: Bool

  public init(
    id: String, siteId: String, sourceVideoId: String, conversionId: String?, version: Int, x: Int, y: Int,
    width: Int, height: Int, frameStart: Int?, frameEnd: Int?, author: String, supersedesId: String?,
    createdAt: String, adjudicated: Bool = false
  ) {
    self.id = id
    self.siteId = siteId
    self.sourceVideoId = sourceVideoId
    self.conversionId = conversionId
    self.version = version
    self.x = x
    self.y = y
    self.width = width
    self.height = height
    self.frameStart = frameStart
    self.frameEnd = frameEnd
    self.author = author
    self.supersedesId = supersedesId
    self.createdAt = createdAt
    self.adjudicated = adjudicated
  }

  enum CodingKeys: String, CodingKey {
    case id, siteId, sourceVideoId, conversionId, version, x, y, width, height, frameStart, frameEnd, author,
      supersedesId, createdAt, adjudicated
  }

  /// Bundles written before adjudication existed carry no `adjudicated`: such a version is not one.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      id: try c.decode(String.self, forKey: .id), siteId: try c.decode(String.self, forKey: .siteId),
      sourceVideoId: try c.decode(String.self, forKey: .sourceVideoId),
      conversionId: try c.decodeIfPresent(String.self, forKey: .conversionId),
      version: try c.decode(Int.self, forKey: .version), x: try c.decode(Int.self, forKey: .x),
      y: try c.decode(Int.self, forKey: .y), width: try c.decode(Int.self, forKey: .width),
      height: try c.decode(Int.self, forKey: .height),
      frameStart: try c.decodeIfPresent(Int.self, forKey: .frameStart),
      frameEnd: try c.decodeIfPresent(Int.self, forKey: .frameEnd),
      author: try c.decode(String.self, forKey: .author),
      supersedesId: try c.decodeIfPresent(String.self, forKey: .supersedesId),
      createdAt: try c.decode(String.self, forKey: .createdAt),
      adjudicated: try c.decodeIfPresent(Bool.self, forKey: .adjudicated) ?? false)
  }

  public var rect: PixelRect { PixelRect(x: x, y: y, width: width, height: height) }
}
