import Foundation
import Media
import Platform
import Sharing
import TestSupport
import Testing

/// Checks by tools nobody here wrote: bagit-python validates an exported bundle, ro-crate-py
/// reads its metadata, and ffprobe finds no container metadata in exported source videos.
@Suite(.serialized) struct ExternalToolsTests {
  static var python: String? { Python.interpreter }

  static func tool(_ name: String) -> String? { ExternalTool.which(name) }

  /// The tool's exit status and both of its streams.
  @discardableResult
  static func run(_ executable: String, _ arguments: [String]) throws -> (Int32, String) {
    let result = ExternalTool.run(executable, arguments)
    return (result.status, result.output)
  }

  static func pythonHas(_ module: String) -> Bool { Python.has(module) }

  @Test func bagitAndRoCrateReadAnExportedBundle() async throws {
    guard Self.pythonHas("bagit") else {
      print("skipped: the bagit package (PyPI) is not installed; run benchmarks/bundle/setup-python.sh")
      return
    }
    let a = try await SiteA.shared.catalog()
    let b = try SiteB()
    defer { b.cleanUp() }
    let bundle = b.file("demo.tar.gz")
    var options = BundleExporter.Options()
    options.gzip = true
    _ = try BundleExporter(catalog: a).export("demo@1", to: bundle, options: options)
    let unpacked = b.file("unpacked")
    try FileManager.default.createDirectory(at: unpacked, withIntermediateDirectories: true)
    let (tarStatus, tarOutput) = try Self.run("/bin/tar", ["-xzf", bundle.path, "-C", unpacked.path])
    try #require(tarStatus == 0, "\(tarOutput)")
    let bag = unpacked.appendingPathComponent("demo-1").path
    let (status, output) = try Self.run(
      Self.python!, ["-c", "import bagit; bagit.Bag('\(bag)').validate(); print('valid')"])
    #expect(status == 0 && output.contains("valid"), "\(output)")
    guard Self.pythonHas("rocrate") else {
      print("skipped the RO-Crate check: the rocrate package (PyPI) is not installed")
      return
    }
    let script = """
      from rocrate.rocrate import ROCrate
      crate = ROCrate('\(bag)/data')
      actions = [e for e in crate.get_entities() if e.type == 'CreateAction']
      print(len(actions), sorted({a['instrument']['name'] for a in actions}))
      """
    let (crateStatus, crateOutput) = try Self.run(Self.python!, ["-c", script])
    #expect(crateStatus == 0, "\(crateOutput)")
    #expect(crateOutput.contains("synthesize") && crateOutput.contains("tile"), "\(crateOutput)")
  }

  @Test func exportedSourceVideosCarryNoContainerMetadata() async throws {
    guard let ffmpeg = Self.tool("ffmpeg"), let ffprobe = Self.tool("ffprobe") else {
      print("skipped: the ffmpeg CLI is needed to make a video with metadata")
      return
    }
    let b = try SiteB()
    defer { b.cleanUp() }
    // A source with a title, comment, creation time and location, exported with --with-sources.
    let source = b.file("tagged.mp4")
    try #require(
      try Self.run(
        ffmpeg,
        [
          "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30:duration=2.2", "-c:v", "libx264",
          "-metadata", "title=Jane Doe chest", "-metadata", "comment=bed 4", "-metadata",
          "creation_time=2026-01-02T03:04:05Z", "-metadata", "location=+48.1+017.1/", source.path,
        ]
      ).0 == 0)
    let stripped = b.file("stripped.mp4")
    try MetadataStripper.strip(input: source, output: stripped)
    let (_, tags) = try Self.run(
      ffprobe, ["-v", "error", "-show_entries", "format_tags:stream_tags", "-of", "json", stripped.path])
    for secret in ["Jane Doe", "bed 4", "2026-01-02", "+48.1"] {
      #expect(!tags.contains(secret), "\(secret) survived: \(tags)")
    }
    let (_, frames) = try Self.run(
      ffprobe,
      [
        "-v", "error", "-count_frames", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0",
        stripped.path,
      ])
    #expect(frames.trimmingCharacters(in: .whitespacesAndNewlines) == "66", "the pictures travel whole")
  }
}
