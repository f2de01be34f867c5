import Foundation
import GRDB
import Platform

public enum TranscodeError: Error, CustomStringConvertible {
  case badParameter(String)

  public var description: String {
    switch self {
    case .badParameter(let reason): "transcode: \(reason)"
    }
  }
}

/// `transcode`: converts a source video to the working format (the study's: 640x480, 30 fps,
/// H.264 in MP4, crf 18, preset medium, stretched), keeping luma only.
public struct TranscodePlugin: Plugin {
  /// Defaults are the ``WorkingFormat``.
  public struct Parameters: PluginParameters {
    public var width = WorkingFormat.width
    public var height = WorkingFormat.height
    public var fpsNumerator = WorkingFormat.frameRate.numerator
    public var fpsDenominator = WorkingFormat.frameRate.denominator
    /// `h264`, `h264-lossless` (x264 qp 0), `ffv1` (lossless, Matroska) or `mpeg4`.
    public var codec = WorkingFormat.codec.codecName
    public var crf = WorkingFormat.crf
    public var preset = WorkingFormat.preset
    /// `stretch` (as the study) or `letterbox` (keeps the aspect ratio with black bars).
    public var scaling = WorkingFormat.scaling.rawValue
    public init() {}
  }

  public static let name = "transcode"
  public static let version = SemanticVersion(1, 0, 0)
  public static let summary =
    "Convert a source video to the working format (default 640x480, 30 fps, H.264 MP4)."
  public static let takes: [EntityKind] = [.sourceVideo]
  public static let makes: [EntityKind] = [.conversion]
  public static let parameterHelp = [
    "width": "output width in pixels", "height": "output height in pixels",
    "fpsNumerator": "output frame rate numerator", "fpsDenominator": "output frame rate denominator",
    "codec": "h264, h264-lossless (x264 qp 0), ffv1 (lossless, Matroska) or mpeg4",
    "crf": "x264 constant rate factor (h264 only)", "preset": "x264 preset",
    "scaling": "stretch (as the study) or letterbox",
  ]

  /// The same source, parameters and FFmpeg give the same bytes (x264 is deterministic).
  public static let reproducible = true

  public init() {}

  /// The names `codec` takes.
  public static let codecNames = ["h264", "h264-lossless", "ffv1", "mpeg4"]

  /// The library options these parameters mean; refuses values the encoder cannot take.
  public static func options(_ parameters: Parameters) throws -> TranscodeOptions {
    guard (16...7680).contains(parameters.width), (16...4320).contains(parameters.height) else {
      throw TranscodeError.badParameter(
        "size \(parameters.width)x\(parameters.height) is outside 16x16...7680x4320")
    }
    guard parameters.fpsNumerator > 0, parameters.fpsDenominator > 0,
      Double(parameters.fpsNumerator) / Double(parameters.fpsDenominator) <= 240
    else {
      throw TranscodeError.badParameter(
        "frame rate \(parameters.fpsNumerator)/\(parameters.fpsDenominator) must be positive and at most 240")
    }
    guard let scaling = ScalingMode(rawValue: parameters.scaling) else {
      throw TranscodeError.badParameter("scaling '\(parameters.scaling)' is not stretch or letterbox")
    }
    let presets = VideoCodec.x264Presets
    guard presets.contains(parameters.preset) else {
      throw TranscodeError.badParameter(
        "preset '\(parameters.preset)' is not one of \(presets.joined(separator: ", "))")
    }
    let codec: VideoCodec
    switch parameters.codec {
    case "h264":
      guard (0...51).contains(parameters.crf) else {
        throw TranscodeError.badParameter("crf \(parameters.crf) is outside 0...51")
      }
      codec = .h264(crf: parameters.crf, preset: parameters.preset)
    case "h264-lossless": codec = .h264Lossless(preset: parameters.preset)
    case "ffv1": codec = .ffv1
    case "mpeg4": codec = .mpeg4(quality: 3)
    default:
      throw TranscodeError.badParameter(
        "codec '\(parameters.codec)' is not one of \(codecNames.joined(separator: ", "))")
    }
    return TranscodeOptions(
      width: parameters.width, height: parameters.height,
      frameRate: VideoRational(parameters.fpsNumerator, parameters.fpsDenominator), codec: codec,
      scaling: scaling)
  }

  public static func check(_ parameters: Parameters, inputs: [EntityRef], catalog: Catalog) async throws {
    _ = try options(parameters)
    guard inputs.count == 1 else { throw TranscodeError.badParameter("give exactly one source video") }
  }

  public func run(_ parameters: Parameters, inputs: [EntityRef], context: PluginContext) async throws
    -> PluginOutput
  {
    let options = try Self.options(parameters)
    let videoID = inputs[0].id
    let video = try await context.catalog.database.read { db in try SourceVideo.fetchOne(db, key: videoID) }
    guard let video else { throw RunError.inputNotFound(videoID) }
    let scratch = try context.blobs.scratchFolder()
    defer { try? FileManager.default.removeItem(at: scratch) }
    let output = scratch.appendingPathComponent(
      "out." + (options.container ?? options.codec.defaultContainer).fileExtension)
    let label = "transcode \(video.fileName)"
    let result = try context.blobs.withNamedPath(
      video.blobSha256, of: "source video \(video.id) (\(video.fileName))", fileName: video.fileName
    ) { source in
      do {
        return try Transcoder.transcode(input: source, output: output, options: options) { progress in
          // The estimate comes from the container's duration; the last report below is exact.
          let total = progress.estimatedTotal > progress.framesDone ? progress.estimatedTotal : nil
          context.progress(label, progress.framesDone, total, unit: "frames")
        }
      } catch {
        // Name the user's file, not the temporary link the library saw.
        throw TranscodeFailure(
          message: "\(video.fileName) (\(video.id)): "
            + String(describing: error)
            .replacingOccurrences(of: source.path, with: video.fileName))
      }
    }
    context.progress(label, result.output.frameCount, result.output.frameCount, unit: "frames")
    let blob = try context.blobs.store(movingFileAt: output)
    let parametersJSON = try CanonicalJSON.encode(parameters)
    let written = result.output
    return PluginOutput(summary: "") { db, run in
      if let existing = try Conversion.filter(
        Conversion.Columns.sourceVideoId == video.id && Conversion.Columns.parametersJson == parametersJSON
      ).fetchOne(db) {
        // A video has one conversion per parameters, never replaced: this run made it again.
        guard existing.blobSha256 == blob.sha256 else {
          run.note(
            "\(video.fileName): already converted with these parameters as \(existing.id); converted again, "
              + "but the new bytes differ from it (\(blob.sha256.prefix(12)) vs \(existing.blobSha256.prefix(12))), "
              + "so \(existing.id) is kept as it was")
          return []
        }
        try BlobRecord.register(blob, in: db)
        run.note(
          "\(video.fileName): already converted with these parameters as \(existing.id); converted again "
            + "to the same bytes")
        run.remade(EntityRef(.conversion, existing.id))
        return [EntityRef(.conversion, existing.id)]
      }
      try BlobRecord.register(blob, in: db)
      let conversion = Conversion(
        id: EntityKind.conversion.newID(), siteId: run.siteID, sourceVideoId: video.id,
        blobSha256: blob.sha256,
        parametersJson: parametersJSON, container: written.container.rawValue,
        codec: written.codecName, width: written.encodedWidth, height: written.encodedHeight,
        fpsNum: written.frameRate.numerator, fpsDen: written.frameRate.denominator,
        frameCount: written.frameCount, durationSeconds: written.duration, pixelData: "luma",
        createdAt: run.now)
      try conversion.insert(db)
      run.note(
        "\(video.fileName): converted to \(conversion.id) (\(conversion.codec) \(conversion.width)x\(conversion.height), "
          + "\(conversion.fpsNum)/\(conversion.fpsDen) fps, \(conversion.frameCount) frames)")
      return [EntityRef(.conversion, conversion.id)]
    }
  }
}

struct TranscodeFailure: Error, CustomStringConvertible {
  var message: String
  var description: String { message }
}
