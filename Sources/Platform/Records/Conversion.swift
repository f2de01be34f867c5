import GRDB

/// A source video converted to the working format: blob, the parameters used, what was written.
public struct Conversion: CatalogRecord, Equatable {
  public static let databaseTableName = "conversion"
  public enum Columns {
    public static let id = Column("id")
    public static let sourceVideoId = Column("source_video_id")
    public static let parametersJson = Column("parameters_json")
  }

  public var id: String
  public var siteId: String
  public var sourceVideoId: String
  public var blobSha256: String
  /// The transcode parameters, canonical JSON (also the key for "already converted like this").
  public var parametersJson: String
  public var container: String
  public var codec: String
  public var width: Int
  public var height: Int
  public var fpsNum: Int
  public var fpsDen: Int
  public var frameCount: Int
  public var durationSeconds: Double
  /// Which pixel data was kept: `luma` (B-mode is grey).
  public var pixelData: String
  public var createdAt: String

  public init(
    id: String, siteId: String, sourceVideoId: String, blobSha256: String, parametersJson: String,
    container: String, codec: String, width: Int, height: Int, fpsNum: Int, fpsDen: Int, frameCount: Int,
    durationSeconds: Double, pixelData: String, createdAt: String
  ) {
    self.id = id
    self.siteId = siteId
    self.sourceVideoId = sourceVideoId
    self.blobSha256 = blobSha256
    self.parametersJson = parametersJson
    self.container = container
    self.codec = codec
    self.width = width
    self.height = height
    self.fpsNum = fpsNum
    self.fpsDen = fpsDen
    self.frameCount = frameCount
    self.durationSeconds = durationSeconds
    self.pixelData = pixelData
    self.createdAt = createdAt
  }

  /// The file extension of the stored container, for tools that look at names.
  public var fileName: String {
    switch container {
    case "matroska": "conversion.mkv"
    case "avi": "conversion.avi"
    case "mov": "conversion.mov"
    default: "conversion.mp4"
    }
  }
}
