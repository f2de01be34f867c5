import Foundation
import GRDB
import Platform

/// What ingest stores for one file, and under which name and patient.
struct PreparedSource: Sendable {
  /// The source video's file name: the base name, or for a DICOM its new SOP Instance UID.
  var fileName: String
  var patient: String
  /// The SHA-256 of the original when the stored bytes are a rewritten copy of it.
  var originalSha256: String?
  /// What was done to the original, for the run's notes.
  var note: String?

  /// The name notes use (never the original name of a DICOM: it may be an identifier).
  var displayName: String { fileName }

  /// The source video already made from the same original, if any.
  func storedFrom(in db: Database, siteID: String) throws -> SourceVideo? {
    guard let originalSha256 else { return nil }
    guard
      let original = try SourceVideoOriginal.filter(
        SourceVideoOriginal.Columns.siteId == siteID
          && SourceVideoOriginal.Columns.originalSha256 == originalSha256
      ).fetchOne(db)
    else { return nil }
    return try SourceVideo.fetchOne(db, key: original.sourceVideoId)
  }

  func recordOriginal(of video: SourceVideo, in db: Database) throws {
    guard let originalSha256 else { return }
    try SourceVideoOriginal(sourceVideoId: video.id, siteId: video.siteId, originalSha256: originalSha256)
      .insert(db)
  }
}

/// Turns the files of an ingest request into the bytes the catalog stores: an ordinary video as
/// it is; a DICOM as its de-identified, masked copy (`DicomDeidentifier`); an ordinary video with
/// `--mask` as a masked lossless re-encode (`MaskedVideoEncoder`). Originals that are rewritten
/// are never stored, only hashed.
struct SourcePreparation {
  let key: SiteKey?
  let rules: MaskRules

  init(_ parameters: IngestPlugin.Parameters, catalog: Catalog) throws {
    key = try parameters.keyFile.map { try SiteKey(keyFile: URL(fileURLWithPath: $0)) }
    rules = try MaskRules.site(file: catalog.root.appendingPathComponent("mask-rules.tsv"))
  }

  /// Everything `store` would refuse, found without writing anything.
  func check(_ item: IngestItem) throws {
    let url = URL(fileURLWithPath: item.path)
    if DicomFile.looksLikeDicom(url) {
      let options = try dicomOptions(item, patient: "")
      _ = try DicomDeidentifier.check(url, options: options)
      if item.patientFromHeader == true { _ = try patientID(of: url) }
      return
    }
    if item.patientFromHeader == true { throw IngestSourceError.patientFromHeaderNeedsDicom(file: item.path) }
    // FFmpeg finds JPEG markers in many files; one named as DICOM is not tried as a video.
    if ["dcm", "dicom"].contains(url.pathExtension.lowercased()),
      FileManager.default.fileExists(atPath: url.path)
    {
      throw DicomError.notDicom(
        file: item.path, reason: "not a DICOM file (no DICOM preamble or dataset at its start)")
    }
    let probe = try VideoProbe.probe(url)
    for rect in item.masks ?? []
    where rect.x >= probe.width || rect.y >= probe.height || rect.maxX <= 0 || rect.maxY <= 0 {
      throw DicomError.maskOutsideFrame(
        file: item.path, mask: rect.description, width: probe.width, height: probe.height)
    }
  }

  /// Writes what is stored for `item` into `blobs`.
  func store(_ item: IngestItem, in blobs: BlobStore) throws -> (PreparedSource, VideoProbe, StoredBlob) {
    let url = URL(fileURLWithPath: item.path)
    if DicomFile.looksLikeDicom(url) { return try storeDicom(item, in: blobs) }
    let name = url.lastPathComponent
    guard let masks = item.masks, !masks.isEmpty else {
      let probe = try VideoProbe.probe(url)
      let blob = try blobs.store(fileAt: url)
      return (PreparedSource(fileName: name, patient: item.patient), probe, blob)
    }
    let scratch = try blobs.scratchFolder()
    defer { try? FileManager.default.removeItem(at: scratch) }
    _ = try VideoProbe.probe(url)
    let masked = scratch.appendingPathComponent("masked.mkv")
    let mask = try MaskedVideoEncoder.write(url, to: masked, masks: masks)
    let probe = try VideoProbe.probe(masked)
    let original = try SHA256Hex.digest(fileAt: url).sha256
    let blob = try blobs.store(movingFileAt: masked)
    let stem = url.deletingPathExtension().lastPathComponent
    let source = PreparedSource(
      fileName: stem + ".mkv", patient: item.patient, originalSha256: original,
      note: "\(mask.summary), stored as a lossless FFV1 re-encode of \(name)")
    return (source, probe, blob)
  }

  private func storeDicom(_ item: IngestItem, in blobs: BlobStore) throws -> (
    PreparedSource, VideoProbe, StoredBlob
  ) {
    let url = URL(fileURLWithPath: item.path)
    let patient = item.patientFromHeader == true ? try patientCode(fromHeaderOf: url) : item.patient
    let scratch = try blobs.scratchFolder()
    defer { try? FileManager.default.removeItem(at: scratch) }
    let output = scratch.appendingPathComponent("deidentified.dcm")
    let result = try DicomDeidentifier.write(
      url, to: output, options: try dicomOptions(item, patient: patient))
    let stored = try DicomVideo.inspect(output)
    let probe = VideoProbe(
      container: "dicom", codec: stored.transferSyntax, width: stored.width, height: stored.height,
      fpsNumerator: stored.frameRate.numerator, fpsDenominator: stored.frameRate.denominator,
      frameCount: stored.frameCount, durationSeconds: stored.durationSeconds, frameCountFromDecoding: false)
    let original = try SHA256Hex.digest(fileAt: url).sha256
    let blob = try blobs.store(movingFileAt: output)
    let note =
      "de-identified from \(result.original.transferSyntax) \(result.original.photometricInterpretation) "
      + "(\(result.removedElements) elements removed, \(result.replacedUIDs) UIDs replaced, "
      + "\(result.shiftedDates) dates shifted); \(result.pixelSummary)"
    let source = PreparedSource(
      fileName: (result.sopInstanceUID.isEmpty ? blob.sha256 : result.sopInstanceUID) + ".dcm",
      patient: patient,
      originalSha256: original, note: note)
    return (source, probe, blob)
  }

  private func dicomOptions(_ item: IngestItem, patient: String) throws -> DicomDeidentification {
    guard let key else { throw DicomError.needsSiteKey(file: item.path) }
    return DicomDeidentification(
      identity: DicomKeyedIdentity(key: key), patientCode: patient, explicitMasks: item.masks ?? [],
      rules: rules, acceptBurnedIn: item.acceptBurnedIn == true)
  }

  private func patientID(of url: URL) throws -> String {
    guard let id = try DicomFile(url: url).trimmed(.patientID) else {
      throw DicomError.noPatientID(file: url.path)
    }
    return id
  }

  private func patientCode(fromHeaderOf url: URL) throws -> String {
    guard let key else { throw DicomError.needsSiteKey(file: url.path) }
    return DicomKeyedIdentity(key: key).patientCode(forPatientID: try patientID(of: url))
  }
}

enum IngestSourceError: Error, CustomStringConvertible {
  case patientFromHeaderNeedsDicom(file: String)

  var description: String {
    switch self {
    case .patientFromHeaderNeedsDicom(let file):
      "\(file): --patient-from-header reads a DICOM's Patient ID, and this file is not DICOM"
    }
  }
}
