import Foundation
import Platform
import TestSupport

/// One command that reads a blob, with the blob to damage and what it must say when it finds
/// the damage. Every command that reads blobs has at least one case.
struct BlobReadCase: Sendable, CustomStringConvertible {
  enum Target: String, Sendable {
    /// One source video, one conversion, or one kind's every blob (a command reads some of them,
    /// which ones depends on the split).
    case source, conversion, allConversions, shards, sidecar, weights
  }

  var name: String
  var target: Target
  /// The command line; `out` is a folder the command may write into (it starts empty).
  var arguments: @Sendable (PipelineCatalog.Made, URL) -> [String]
  /// A word of the entity the message must name besides the blob ("vid_", "conv_", ...).
  var entity: @Sendable (PipelineCatalog.Made) -> String

  var description: String { name }

  /// Each blob to damage with the blob whose bytes replace it (`BlobDamage.replaced`): a blob
  /// of the same kind, so the replacement is a valid file with the wrong content.
  func blobs(_ made: PipelineCatalog.Made) -> [(damaged: String, other: String)] {
    func rotated(_ blobs: [String]) -> [(String, String)] {
      blobs.indices.map { (blobs[$0], blobs[($0 + 1) % blobs.count]) }
    }
    return switch target {
    case .source: [(made.videoBlob, made.otherVideoBlob)]
    case .conversion: [(made.conversionBlob, made.otherConversionBlob)]
    case .allConversions: rotated(made.conversionBlobs)
    case .shards: rotated(made.shardBlobs)
    case .sidecar: [(made.sidecarBlob, made.shardBlobs[0])]
    case .weights: [(made.weightsBlob, made.shardBlobs[0])]
    }
  }

  static let tinyTraining = ["--width", "0.03125", "--epochs", "1", "--batch", "16", "--threads", "1"]

  static let all: [BlobReadCase] = [
    BlobReadCase(name: "transcode", target: .source) { m, _ in
      ["transcode", m.video, "--force", "--preset", "ultrafast"]
    } entity: {
      $0.video
    },
    BlobReadCase(name: "frame of a source video", target: .source) { m, out in
      ["frame", m.video, "--at", "0.5", "-o", out.appendingPathComponent("f.png").path]
    } entity: {
      $0.video
    },
    BlobReadCase(name: "frame of a conversion", target: .conversion) { m, out in
      ["frame", m.conversion, "-o", out.appendingPathComponent("f.png").path]
    } entity: {
      $0.conversion
    },
    BlobReadCase(name: "mmode", target: .conversion) { m, out in
      ["mmode", m.conversion, "--column", "100", "-o", out.appendingPathComponent("m.png").path]
    } entity: {
      $0.conversion
    },
    BlobReadCase(name: "sheet", target: .source) { m, out in
      ["sheet", m.video, "-o", out.appendingPathComponent("s.png").path]
    } entity: {
      $0.video
    },
    BlobReadCase(name: "roi suggest", target: .source) { m, _ in
      ["roi", "suggest", m.video, "--apply"]
    } entity: {
      $0.video
    },
    BlobReadCase(name: "roi show", target: .conversion) { m, out in
      ["roi", "show", m.video, "-o", out.appendingPathComponent("r.png").path]
    } entity: {
      $0.conversion
    },
    BlobReadCase(name: "dataset build", target: .conversion) { _, _ in
      ["dataset", "build", "demo", "--force"]
    } entity: {
      $0.conversion
    },
    BlobReadCase(name: "dataset export-npy", target: .shards) { _, out in
      ["dataset", "export-npy", "demo@1", out.appendingPathComponent("npy").path]
    } entity: { _ in
      "cube_"
    },
    BlobReadCase(name: "train", target: .shards) { _, _ in
      ["train", "demo@1", "--force"] + tinyTraining
    } entity: { _ in
      "cube_"
    },
    BlobReadCase(name: "evaluate (weights)", target: .weights) { m, _ in
      ["evaluate", m.model, "--force", "--bootstrap", "20", "--threads", "1"]
    } entity: {
      $0.model
    },
    BlobReadCase(name: "evaluate (shard)", target: .shards) { m, _ in
      ["evaluate", m.model, "--force", "--bootstrap", "20", "--threads", "1"]
    } entity: { _ in
      "cube_"
    },
    BlobReadCase(name: "explain (weights)", target: .weights) { m, out in
      ["explain", m.model, "--samples", "2", "--threads", "1", "-o", out.appendingPathComponent("x").path]
    } entity: {
      $0.model
    },
    BlobReadCase(name: "explain (shard)", target: .shards) { m, out in
      ["explain", m.model, "--samples", "2", "--threads", "1", "-o", out.appendingPathComponent("x").path]
    } entity: { _ in
      "cube_"
    },
    BlobReadCase(name: "explain (overlay frames)", target: .allConversions) { m, out in
      ["explain", m.model, "--samples", "2", "--threads", "1", "-o", out.appendingPathComponent("x").path]
    } entity: { _ in
      "conv_"
    },
    BlobReadCase(name: "export (shard)", target: .shards) { _, out in
      ["export", "demo@1", "-o", out.appendingPathComponent("b.tar.zst").path]
    } entity: { _ in
      "cube_"
    },
    BlobReadCase(name: "export --with-sources", target: .source) { _, out in
      ["export", "demo@1", "--with-sources", "-o", out.appendingPathComponent("b.tar.zst").path]
    } entity: {
      $0.video
    },
    BlobReadCase(name: "export --with-conversions", target: .conversion) { _, out in
      ["export", "demo@1", "--with-conversions", "-o", out.appendingPathComponent("b.tar.zst").path]
    } entity: {
      $0.conversion
    },
    BlobReadCase(name: "export --with-models", target: .weights) { _, out in
      ["export", "demo@1", "--with-models", "-o", out.appendingPathComponent("b.tar.zst").path]
    } entity: {
      $0.model
    },
    BlobReadCase(name: "export --pseudonymize (sidecar)", target: .sidecar) { m, out in
      [
        "export", "demo@1", "--pseudonymize", "--key-file", m.keyFile.path, "-o",
        out.appendingPathComponent("b.tar.zst").path,
      ]
    } entity: { _ in
      "demo@1"
    },
    BlobReadCase(name: "rerun transcode", target: .source) { m, _ in
      ["rerun", m.transcodeRun]
    } entity: {
      $0.video
    },
    BlobReadCase(name: "rerun tile", target: .allConversions) { m, _ in
      ["rerun", m.tileRun]
    } entity: { _ in
      "conv_"
    },
  ]
}
