import Foundation
import GRDB
import Platform

/// Bytes already in the catalog are one video with the patient and label it was stored with.
/// Ingesting them again with the same facts changes nothing; with another patient or label it
/// is refused naming both, never reported as a harmless "nothing stored".
public struct KnownBytesConflict: Error, CustomStringConvertible, Equatable {
  public var file: String
  public var video: String
  public var storedFileName: String
  public var storedPatient: String
  public var storedLabel: String
  public var givenPatient: String
  public var givenLabel: String

  public var description: String {
    "\(file): these bytes are already in the catalog as \(video) (\(storedFileName)) with patient "
      + "\(storedPatient) and label \(storedLabel), but this ingest says patient \(givenPatient) and label "
      + "\(givenLabel); nothing was stored. Ingest never changes a stored video's patient or label: "
      + "to change the label, run `pleura label \(video) \(givenLabel)` (a new, recorded label version)"
  }
}

enum KnownBytes {
  /// The video this site already made from a file with this SHA-256: stored as it was, or
  /// rewritten (a de-identified DICOM, a masked re-encode) from it.
  static func video(fromBytes sha256: String, siteID: String, in db: Database) throws -> SourceVideo? {
    if let video = try SourceVideo.filter(
      SourceVideo.Columns.siteId == siteID && SourceVideo.Columns.blobSha256 == sha256
    ).fetchOne(db) {
      return video
    }
    return try PreparedSource(fileName: "", patient: "", originalSha256: sha256).storedFrom(
      in: db, siteID: siteID)
  }

  /// Throws when `video` was stored with another label, or another patient (nil: not known yet).
  static func check(_ video: SourceVideo, file: String, patient: String?, label: String, in db: Database)
    throws
  {
    let stored =
      try String.fetchOne(db, sql: "SELECT code FROM patient WHERE id = ?", arguments: [video.patientId])
      ?? "?"
    guard (patient.map { $0 != stored } ?? false) || video.label.rawValue != label else { return }
    throw KnownBytesConflict(
      file: file, video: video.id, storedFileName: video.fileName, storedPatient: stored,
      storedLabel: video.label.rawValue, givenPatient: patient ?? stored, givenLabel: label)
  }
}
