import Foundation
import GRDB
import Platform

/// One file to ingest, with the patient pseudonym and the lung-sliding label it belongs to.
public struct IngestItem: Codable, Sendable, Equatable {
  public var path: String
  /// The patient code; empty when `patientFromHeader` derives it from a DICOM's Patient ID.
  public var patient: String
  public var label: String
  public var notes: String
  /// Rectangles to black out on every frame (`--mask`): a DICOM is masked there, an ordinary
  /// video is stored as a masked lossless re-encode.
  public var masks: [PixelRect]?
  /// Store a DICOM whose burned-in text cannot be masked (`--accept-burned-in`).
  public var acceptBurnedIn: Bool?
  /// The patient code is the keyed hash of the DICOM's Patient ID (`--patient-from-header`).
  public var patientFromHeader: Bool?

  public init(
    path: String, patient: String, label: String, notes: String = "", masks: [PixelRect]? = nil,
    acceptBurnedIn: Bool? = nil, patientFromHeader: Bool? = nil
  ) {
    self.path = path
    self.patient = patient
    self.label = label
    self.notes = notes
    self.masks = masks
    self.acceptBurnedIn = acceptBurnedIn
    self.patientFromHeader = patientFromHeader
  }
}

public enum IngestError: Error, CustomStringConvertible {
  case noFiles
  case batchFailed([String])

  public var description: String {
    switch self {
    case .noFiles: "nothing to ingest: give at least one file"
    case .batchFailed(let problems):
      "\(problems.count) file(s) could not be ingested, so none was stored: "
        + problems.joined(separator: "; ")
    }
  }
}

/// `ingest`: probes video files in-process, stores their bytes as blobs and records them as
/// source videos of their patients. A run takes all its files or none; the CLI runs one file
/// per run unless asked for all-or-nothing.
public struct IngestPlugin: Plugin {
  public struct Parameters: PluginParameters {
    public var files: [IngestItem] = []
    /// The site key file (see `SiteKey`): DICOM de-identification derives UIDs, date shifts
    /// and header patient codes from it.
    public var keyFile: String?
    public init() {}
    public init(files: [IngestItem], keyFile: String? = nil) {
      self.files = files
      self.keyFile = keyFile
    }
  }

  public static let name = "ingest"
  public static let version = SemanticVersion(1, 1, 0)
  public static let summary = "Probe video files and store them as source videos of their patients."
  public static let takes: [EntityKind] = []
  public static let makes: [EntityKind] = [.sourceVideo, .patient, .label]
  public static let parameterHelp = [
    "files":
      "list of {path, patient, label (present|absent|unknown), notes, masks [{x,y,width,height}], "
      + "acceptBurnedIn, patientFromHeader}",
    "keyFile": "site key file; needed for DICOM (keyed UIDs, date shifts, patient codes from headers)",
  ]
  /// Files on disk can change between runs; the catalog deduplicates by content instead.
  public static let usesRunCache = false

  /// Only the file's base name is recorded: the folders above it may name a person. A DICOM's
  /// name is not recorded at all (scanners name files by their SOP Instance UID, which
  /// de-identification replaces); its source video is named by the new UID.
  public static func recorded(_ parameters: Parameters) -> Parameters {
    var recorded = parameters
    recorded.files = parameters.files.map { item in
      var item = item
      let url = URL(fileURLWithPath: item.path)
      item.path = DicomFile.looksLikeDicom(url) ? "(DICOM file)" : url.lastPathComponent
      return item
    }
    recorded.keyFile = parameters.keyFile.map { URL(fileURLWithPath: $0).lastPathComponent }
    return recorded
  }

  public init() {}

  struct Probed: Sendable {
    var item: IngestItem
    var label: SlidingLabel
    var probe: VideoProbe
    var blob: StoredBlob
    var source: PreparedSource
  }

  /// Refuses the whole request before anything is recorded when a file is missing, not a video,
  /// carries a bad label or patient code, or holds bytes already stored with another patient or
  /// label: every problem is listed, naming its file.
  public static func check(_ parameters: Parameters, inputs: [EntityRef], catalog: Catalog) async throws {
    guard !parameters.files.isEmpty else { throw IngestError.noFiles }
    var problems: [String] = []
    var preparation: SourcePreparation?
    for item in parameters.files {
      do {
        if item.patientFromHeader != true { try PatientCode.validate(item.patient) }
        _ = try SlidingLabel(validating: item.label)
        // The rules an import applies to the same fields (RecordRules), so both refuse alike. A
        // DICOM file's name is never recorded (its source video is named by its new UID).
        let url = URL(fileURLWithPath: item.path)
        if !DicomFile.looksLikeDicom(url) { try RecordRules.fileName(url.lastPathComponent) }
        try RecordRules.notes(item.notes)
        let prepared = try preparation ?? SourcePreparation(parameters, catalog: catalog)
        preparation = prepared
        try prepared.check(item)
        let sha256 = try SHA256Hex.digest(fileAt: URL(fileURLWithPath: item.path)).sha256
        try await catalog.database.read { db in
          if let video = try KnownBytes.video(fromBytes: sha256, siteID: catalog.localSite.id, in: db) {
            // A patient read from a DICOM header is compared once it is known, in persist.
            try KnownBytes.check(
              video, file: URL(fileURLWithPath: item.path).lastPathComponent,
              patient: item.patientFromHeader == true ? nil : item.patient, label: item.label, in: db)
          }
        }
      } catch {
        problems.append(String(describing: error))
      }
    }
    if problems.count == 1, parameters.files.count == 1 { throw IngestFileError(message: problems[0]) }
    if !problems.isEmpty { throw IngestError.batchFailed(problems) }
  }

  public func run(_ parameters: Parameters, inputs: [EntityRef], context: PluginContext) async throws
    -> PluginOutput
  {
    var probed: [Probed] = []
    let preparation = try SourcePreparation(parameters, catalog: context.catalog)
    for (index, item) in parameters.files.enumerated() {
      try context.checkCancellation()
      let (source, probe, blob) = try preparation.store(item, in: context.blobs)
      let label = try SlidingLabel(validating: item.label)
      probed.append(Probed(item: item, label: label, probe: probe, blob: blob, source: source))
      if parameters.files.count > 1 {
        context.progress("ingest run", index + 1, parameters.files.count, unit: "files", perItem: true)
      }
    }
    let ready = probed
    return PluginOutput(summary: "") { db, run in
      try Self.persist(ready, in: db, run: run)
    }
  }

  /// Writes patients and source videos; bytes already in the catalog are one video, reported.
  static func persist(_ probed: [Probed], in db: Database, run: PersistContext) throws -> [EntityRef] {
    var outputs: [EntityRef] = []
    for entry in probed {
      let name = entry.source.displayName
      if let existing = try SourceVideo.filter(
        SourceVideo.Columns.siteId == run.siteID && SourceVideo.Columns.blobSha256 == entry.blob.sha256
      ).fetchOne(db) ?? entry.source.storedFrom(in: db, siteID: run.siteID) {
        // Checked before the run too; here again, as another process may have stored them since
        // (and a patient read from a DICOM header is known only now).
        try KnownBytes.check(
          existing, file: name, patient: entry.source.patient, label: entry.item.label, in: db)
        run.note("\(name): already in the catalog as \(existing.id); nothing stored")
        continue
      }
      let (patient, created) = try Patient.findOrCreate(
        code: entry.source.patient, siteID: run.siteID, in: db)
      if created { outputs.append(EntityRef(.patient, patient.id)) }
      try BlobRecord.register(entry.blob, in: db)
      let probe = entry.probe
      let video = SourceVideo(
        id: EntityKind.sourceVideo.newID(), siteId: run.siteID, patientId: patient.id,
        blobSha256: entry.blob.sha256, fileName: entry.source.fileName, label: entry.label,
        notes: entry.item.notes.isEmpty ? nil : entry.item.notes, container: probe.container,
        codec: probe.codec, width: probe.width, height: probe.height, fpsNum: probe.fpsNumerator,
        fpsDen: probe.fpsDenominator, frameCount: probe.frameCount, durationSeconds: probe.durationSeconds,
        createdAt: run.now)
      try video.insert(db)
      try entry.source.recordOriginal(of: video, in: db)
      outputs.append(EntityRef(.sourceVideo, video.id))
      // The label given here is version 1 of the video's label history.
      let label = LabelAnnotation.ingestVersion(of: video)
      try label.insert(db)
      outputs.append(EntityRef(.label, label.id))
      run.note(
        "\(name): ingested as \(video.id) (patient \(patient.code), \(entry.label.rawValue), "
          + "\(probe.codec) \(probe.width)x\(probe.height), \(probe.fpsNumerator)/\(probe.fpsDenominator) fps, "
          + "\(probe.frameCount) frames)" + (entry.source.note.map { "; \($0)" } ?? ""))
    }
    return outputs
  }
}

/// The one problem of a one-file run, passed through as it is.
struct IngestFileError: Error, CustomStringConvertible {
  var message: String
  var description: String { message }
}
