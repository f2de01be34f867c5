import Foundation
import GRDB

/// A site-scoped patient pseudonym. No names, birth dates or other direct identifiers.
public struct Patient: CatalogRecord, Equatable {
  public static let databaseTableName = "patient"
  public enum Columns {
    public static let id = Column("id")
    public static let siteId = Column("site_id")
    public static let code = Column("code")
  }

  public var id: String
  public var siteId: String
  public var code: String
  public var createdAt: String

  /// The patient with this code at this site, created on first use.
  /// - Returns: the patient and whether it was created now.
  public static func findOrCreate(code: String, siteID: String, in db: Database) throws -> (Patient, Bool) {
    if let existing = try Patient.filter(Columns.siteId == siteID && Columns.code == code).fetchOne(db) {
      return (existing, false)
    }
    let patient = Patient(
      id: EntityKind.patient.newID(), siteId: siteID, code: code, createdAt: Timestamp.now())
    try patient.insert(db)
    return (patient, true)
  }
}

/// Rules for patient codes: pseudonyms of letters, digits, `.`, `_` and `-`, at most 64
/// characters. Spaces are refused because a code with spaces is most often a person's name.
public enum PatientCode {
  public static func validate(_ code: String) throws {
    let allowed = code.unicodeScalars.allSatisfy { scalar in
      scalar.isASCII
        && (CharacterSet.alphanumerics.contains(scalar) || scalar == "." || scalar == "_" || scalar == "-")
    }
    guard !code.isEmpty, code.count <= 64, allowed else {
      throw PatientCodeError.invalid(code)
    }
  }
}

public enum PatientCodeError: Error, CustomStringConvertible {
  case invalid(String)
  public var description: String {
    switch self {
    case .invalid(let code):
      "patient code '\(code)' is not a pseudonym: use 1-64 letters, digits, '.', '_' or '-' "
        + "(no spaces, no names)"
    }
  }
}
