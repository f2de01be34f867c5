import GRDB

/// Lung sliding as the study labels it; `present` is the positive class.
public enum SlidingLabel: String, Codable, CaseIterable, Sendable {
  case present, absent, unknown

  /// Parses a label given by a user, naming the valid ones when it is not one of them.
  public init(validating text: String) throws {
    guard let label = SlidingLabel(rawValue: text) else { throw SlidingLabelError.invalid(text) }
    self = label
  }
}

public enum SlidingLabelError: Error, CustomStringConvertible {
  case invalid(String)
  public var description: String {
    switch self {
    case .invalid(let text): "label '\(text)' is not one of present, absent, unknown"
    }
  }
}

/// An original video file, stored as a blob, with what probing found.
public struct SourceVideo: CatalogRecord, Equatable {
  public static let databaseTableName = "source_video"
  public enum Columns {
    public static let id = Column("id")
    public static let siteId = Column("site_id")
    public static let patientId = Column("patient_id")
    public static let blobSha256 = Column("blob_sha256")
    public static let label = Column("label")
    public static let fileName = Column("file_name")
  }

  public var id: String
  public var siteId: String
  public var patientId: String
  public var blobSha256: String
  /// The file's base name only: the folders above it may name a person.
  public var fileName: String
  public var label: SlidingLabel
  public var notes: String?
  public var container: String
  public var codec: String
  public var width: Int
  public var height: Int
  public var fpsNum: Int
  public var fpsDen: Int
  public var frameCount: Int
  public var durationSeconds: Double
  public var createdAt: String

  public init(
    id: String, siteId: String, patientId: String, blobSha256: String, fileName: String,
    label: SlidingLabel, notes: String?, container: String, codec: String, width: Int, height: Int,
    fpsNum: Int, fpsDen: Int, frameCount: Int, durationSeconds: Double, createdAt: String
  ) {
    self.id = id
    self.siteId = siteId
    self.patientId = patientId
    self.blobSha256 = blobSha256
    self.fileName = fileName
    self.label = label
    self.notes = notes
    self.container = container
    self.codec = codec
    self.width = width
    self.height = height
    self.fpsNum = fpsNum
    self.fpsDen = fpsDen
    self.frameCount = frameCount
    self.durationSeconds = durationSeconds
    self.createdAt = createdAt
  }
}
