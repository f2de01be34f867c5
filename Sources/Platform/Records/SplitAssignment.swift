import GRDB

/// The part (train, validation or test) one patient is in under one split.
public struct SplitAssignment: CatalogRecord, Equatable {
  public static let databaseTableName = "split_assignment"
  public enum Columns {
    public static let splitId = Column("split_id")
  }

  public enum Part: String, Codable, CaseIterable, Sendable {
    case train, validation, test
  }

  public var splitId: String
  public var patientId: String
  public var part: Part

  public init(splitId: String, patientId: String, part: Part) {
    self.splitId = splitId
    self.patientId = patientId
    self.part = part
  }
}
