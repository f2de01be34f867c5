import Foundation
import GRDB
import Platform

/// Checks and lands an external plugin's `conversion` output: a video file derived from one of
/// the run's input source videos, with the transcode parameters it claims to follow. The file
/// is probed and decoded to its last frame as a built-in conversion's is, and must have the
/// size, frame rate, codec and container those parameters give; the row records the parameters
/// and `luma` exactly as `transcode` records them, so recipes and tiling pick it like any other
/// conversion (ARCHITECTURE.md, "External plugins").
public struct ExternalConversionOutput: ExternalOutputHandler {
  public let kind = ExternalOutputKind.conversion
  public init() {}

  static let maxVideoBytes = 4 << 30
  static let maxFrames = 1_000_000

  public func check(
    _ output: ExternalOutput, files: [String: URL], context: ExternalOutputContext, in db: Database
  ) throws -> any CheckedExternalOutput {
    let field = context.field
    for key in output.metadata.keys.sorted() where !["source", "parameters"].contains(key) {
      throw ExternalOutputRefusal(
        "\(field): metadata '\(key.escapedForMessage)' is not one of parameters, source")
    }
    for role in files.keys.sorted() where role != "video" {
      throw ExternalOutputRefusal("\(field): file role '\(role.escapedForMessage)' is not video")
    }
    guard let video = files["video"] else {
      throw ExternalOutputRefusal("\(field): a conversion needs a 'video' file")
    }
    guard let sourceID = context.input(output.metadata["source"]?.stringValue, of: .sourceVideo) else {
      throw ExternalOutputRefusal("\(field): metadata source must be the id of an input source video")
    }
    let known =
      try JSONDecoder().decode(AnyJSON.self, from: JSONEncoder().encode(TranscodePlugin.Parameters()))
      .objectValue ?? [:]
    for key in (output.metadata["parameters"]?.objectValue ?? [:]).keys.sorted() where known[key] == nil {
      throw ExternalOutputRefusal(
        "\(field): metadata parameters.\(key.escapedForMessage) is not a transcode parameter ("
          + known.keys.sorted().joined(separator: ", ") + ")")
    }
    let parameters: TranscodePlugin.Parameters
    let options: TranscodeOptions
    do {
      let given = try (output.metadata["parameters"] ?? .object([:])).canonicalText()
      parameters = try ParameterSchema.decode(json: given, as: TranscodePlugin.self)
      options = try TranscodePlugin.options(parameters)
    } catch {
      throw ExternalOutputRefusal("\(field): metadata parameters are not transcode parameters: \(error)")
    }
    let probe = try Self.probe(video, field: field)
    let container = options.container ?? options.codec.defaultContainer
    let expected = [
      ("size", "\(options.width)x\(options.height)", "\(probe.width)x\(probe.height)"),
      (
        "frame rate", "\(parameters.fpsNumerator)/\(parameters.fpsDenominator)",
        "\(probe.fpsNumerator)/\(probe.fpsDenominator)"
      ),
      ("codec", options.codec.codecName, probe.codec),
    ]
    for (what, wanted, found) in expected where !Self.sameRate(what, wanted, found) {
      throw ExternalOutputRefusal(
        "\(field) video: its \(what) is \(found.escapedForMessage) but its parameters give \(wanted)")
    }
    guard probe.container.split(separator: ",").contains(Substring(container.rawValue)) else {
      throw ExternalOutputRefusal(
        "\(field) video: its container is \(probe.container.escapedForMessage) but its parameters give \(container.rawValue)"
      )
    }
    return CheckedConversion(
      sourceID: sourceID, parametersJSON: try CanonicalJSON.encode(parameters), container: container.rawValue,
      probe: probe)
  }

  /// Frame rates compare as fractions (30/1 is 60/2); everything else as text.
  static func sameRate(_ what: String, _ wanted: String, _ found: String) -> Bool {
    guard what == "frame rate" else { return wanted == found }
    let a = wanted.split(separator: "/").compactMap { Int($0) }
    let b = found.split(separator: "/").compactMap { Int($0) }
    return a.count == 2 && b.count == 2 && a[0] * b[1] == b[0] * a[1]
  }

  /// Probes the file and decodes every frame, so that a file that opens but breaks later is
  /// refused before it is stored.
  static func probe(_ url: URL, field: String) throws -> VideoProbe {
    let size =
      (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.intValue ?? 0
    guard size <= maxVideoBytes else {
      throw ExternalOutputRefusal("\(field) video: larger than \(maxVideoBytes) bytes")
    }
    func shown(_ error: Error) -> String {
      String(describing: error).replacingOccurrences(of: url.path, with: url.lastPathComponent)
    }
    let probe: VideoProbe
    do { probe = try VideoProbe.probe(url) } catch {
      throw ExternalOutputRefusal("\(field) video is not a usable video: \(shown(error))")
    }
    guard probe.frameCount > 0, probe.frameCount <= maxFrames else {
      throw ExternalOutputRefusal("\(field) video has \(probe.frameCount) frames; 1 to \(maxFrames) expected")
    }
    var decoded = 0
    do {
      let decoder = try VideoDecoders.open(url, threads: 1)
      while try decoder.nextFrame() != nil, decoded <= maxFrames { decoded += 1 }
    } catch {
      throw ExternalOutputRefusal("\(field) video is corrupt after frame \(decoded): \(shown(error))")
    }
    guard decoded == probe.frameCount else {
      throw ExternalOutputRefusal(
        "\(field) video: its header promises \(probe.frameCount) frames but \(decoded) decode")
    }
    // A container that counts no frames still states its duration: a cut-off file decodes to
    // fewer frames than that duration holds (two frames and 2 % are allowed for rounding).
    let rate = Double(probe.fpsNumerator) / Double(max(1, probe.fpsDenominator))
    let stated = probe.durationSeconds * rate
    if rate > 0, stated.isFinite, Double(decoded) < stated * 0.98 - 2 {
      throw ExternalOutputRefusal(
        "\(field) video is truncated: its container says \(String(format: "%.2f", probe.durationSeconds)) s "
          + "(\(Int(stated.rounded())) frames) but only \(decoded) frames decode")
    }
    return probe
  }
}

/// A conversion output that passed. A source video has one conversion per parameters: when it
/// already has one, the same bytes are that conversion made again, and other bytes are refused.
struct CheckedConversion: CheckedExternalOutput {
  var sourceID: String
  var parametersJSON: String
  var container: String
  var probe: VideoProbe

  func persist(blobs: [String: StoredBlob], in db: Database, run: PersistContext) throws -> [EntityRef] {
    guard let blob = blobs["video"] else { return [] }
    if let existing = try Conversion.filter(
      Conversion.Columns.sourceVideoId == sourceID && Conversion.Columns.parametersJson == parametersJSON
    ).fetchOne(db) {
      guard existing.blobSha256 == blob.sha256 else {
        throw ExternalOutputRefusal(
          "\(sourceID) already has conversion \(existing.id) with these parameters, with other bytes; "
            + "a conversion is never replaced")
      }
      run.remade(EntityRef(.conversion, existing.id))
      return [EntityRef(.conversion, existing.id)]
    }
    let conversion = Conversion(
      id: EntityKind.conversion.newID(), siteId: run.siteID, sourceVideoId: sourceID, blobSha256: blob.sha256,
      parametersJson: parametersJSON, container: container, codec: probe.codec, width: probe.width,
      height: probe.height, fpsNum: probe.fpsNumerator, fpsDen: probe.fpsDenominator,
      frameCount: probe.frameCount, durationSeconds: probe.durationSeconds, pixelData: "luma",
      createdAt: run.now)
    try conversion.insert(db)
    run.note(
      "\(sourceID): converted to \(conversion.id) by an external plugin (\(conversion.codec) "
        + "\(conversion.width)x\(conversion.height), \(conversion.frameCount) frames)")
    return [EntityRef(.conversion, conversion.id)]
  }
}
