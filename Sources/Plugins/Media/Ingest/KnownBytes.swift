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
      + "\(givenLabel); nothing was stored. Ingest never changes a stored video's patient or label, and "
      + "Pleura has no command that changes them yet: to ingest these bytes again, give the stored values"
  }
}

enum KnownBytes {
  /// Throws when this site already holds `sha256` as a video of another patient or label.
  static func check(_ item: IngestItem, sha256: String, siteID: String, in db: Database) throws {
    guard
      let video = try SourceVideo.filter(
        SourceVideo.Columns.siteId == siteID && SourceVideo.Columns.blobSha256 == sha256
      ).fetchOne(db)
    else { return }
    let patient =
      try String.fetchOne(db, sql: "SELECT code FROM patient WHERE id = ?", arguments: [video.patientId])
      ?? "?"
    guard patient != item.patient || video.label.rawValue != item.label else { return }
    throw KnownBytesConflict(
      file: URL(fileURLWithPath: item.path).lastPathComponent, video: video.id,
      storedFileName: video.fileName,
      storedPatient: patient, storedLabel: video.label.rawValue, givenPatient: item.patient,
      givenLabel: item.label)
  }
}
