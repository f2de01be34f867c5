import Bag
import Foundation
import TestSupport
import Testing

/// Bundles checked by tools nobody here wrote: GNU tar unpacks them, bagit-python validates the
/// bag, ro-crate-py loads the crate and roc-validator checks it against the RO-Crate 1.1 profile.
/// Each test is skipped, with the reason shown, when its Python package is not installed
/// (`benchmarks/bundle/setup-python.sh` installs them into benchmarks/.venv).
@Suite struct ExternalValidationTests {
  static let hasBagit = Python.has("bagit")
  static let hasRocrate = Python.has("rocrate")
  static let hasValidator = Python.has("rocrate_validator")
  /// roc-validator fetches the RO-Crate JSON-LD context for nearly every check; offline it cannot run.
  static let contextReachable =
    hasValidator
    && Python.run([
      "-c",
      "import urllib.request; urllib.request.urlopen('https://w3id.org/ro/crate/1.1/context', timeout=5)",
    ]).status == 0
  static let tar = ["/usr/bin/tar", "/bin/tar"].first { FileManager.default.isExecutableFile(atPath: $0) }

  /// Writes a bundle shaped like `pleura export`'s and unpacks it with GNU tar; returns the bag.
  static func exportAndUnpack(_ compression: BagCompression, in scratch: Scratch) throws -> URL {
    var random = SeededBytes(seed: 5)
    let blobs = [
      ("objects/ab/ab12.npy", random.data(count: 70_000)), ("objects/cd/cd34.npy", random.data(count: 900)),
    ]
    var crate = RoCrateTests.sample()
    crate.files =
      blobs.map {
        .init(path: $0.0, encodingFormat: "application/octet-stream", contentSize: Int64($0.1.count))
      }
      + [.init(path: "catalog/videos.json", encodingFormat: "application/json")]
    let archive = scratch.url.appending(path: "export.\(compression.fileExtension)")
    let writer = try BagWriter(creating: archive, bagName: "site-a-export", compression: compression)
    for (path, data) in blobs { try writer.addData(data, as: path) }
    try writer.addData(
      Data(#"[{"id":"video_1","name":"a'; DROP TABLE video;--"}]"#.utf8), as: "catalog/videos.json")
    try writer.addData(try crate.jsonData(), as: RoCrate.metadataFileName)
    var info = BagInfo()
    info.append("Source-Organization", "Site A")
    info.append("Pleura-Version", "0.1.0")
    try writer.finish(info: info)
    let unpacked = scratch.folder("unpacked")
    let result = ExternalTool.run(tar!, ["-xf", archive.path, "-C", unpacked.path])
    #expect(result.status == 0, "tar -xf: \(result.output)")
    return unpacked.appending(path: "site-a-export")
  }

  @Test(
    .enabled(
      if: hasBagit && tar != nil,
      "bagit (PyPI) or tar is not installed; run benchmarks/bundle/setup-python.sh"),
    arguments: [BagCompression.zstd(), .gzip()])
  func bagitPythonValidatesTheUnpackedBundle(compression: BagCompression) throws {
    let scratch = Scratch()
    let bag = try Self.exportAndUnpack(compression, in: scratch)
    let script = """
      import sys, bagit
      bag = bagit.Bag(sys.argv[1])
      bag.validate()
      print("valid", bag.info["Payload-Oxum"], len(list(bag.payload_files())))
      """
    let result = Python.run(["-c", script, bag.path])
    #expect(result.status == 0, "bagit: \(result.output)")
    #expect(result.output.contains("valid"))
  }

  @Test(
    .enabled(
      if: hasBagit && tar != nil,
      "bagit (PyPI) or tar is not installed; run benchmarks/bundle/setup-python.sh"))
  func bagitPythonRejectsATamperedBundle() throws {
    let scratch = Scratch()
    let bag = try Self.exportAndUnpack(.zstd(), in: scratch)
    try Data("tampered".utf8).write(to: bag.appending(path: "data/catalog/videos.json"))
    let script =
      "import sys, bagit\ntry:\n  bagit.Bag(sys.argv[1]).validate()\nexcept bagit.BagValidationError as e:\n  print('invalid', e); sys.exit(3)"
    let result = Python.run(["-c", script, bag.path])
    #expect(result.status == 3, "bagit: \(result.output)")
  }

  @Test(
    .enabled(
      if: hasRocrate && tar != nil,
      "rocrate (PyPI) or tar is not installed; run benchmarks/bundle/setup-python.sh"))
  func rocratePyReadsTheRunsAsCreateActions() throws {
    let scratch = Scratch()
    let bag = try Self.exportAndUnpack(.zstd(), in: scratch)
    let script = """
      import sys
      from rocrate.rocrate import ROCrate
      crate = ROCrate(sys.argv[1])
      actions = [e for e in crate.get_entities() if e.type == "CreateAction"]
      assert len(actions) == 1, actions
      action = actions[0]
      assert action["instrument"]["name"] == "lung-seg" and action["instrument"]["version"] == "1.2.0"
      assert [o.id for o in action["object"]] == ["objects/ab/ab12.npy"], action["object"]
      assert [r.id for r in action["result"]] == ["objects/cd/cd34.npy"], action["result"]
      parts = sorted(p.id for p in crate.root_dataset["hasPart"])
      assert parts == ["catalog/videos.json", "objects/ab/ab12.npy", "objects/cd/cd34.npy"], parts
      print("crate ok", crate.name)
      """
    let result = Python.run(["-c", script, bag.appending(path: "data").path])
    #expect(result.status == 0, "rocrate: \(result.output)")
  }

  @Test(
    .enabled(
      if: hasValidator && contextReachable && tar != nil,
      "roc-validator is not installed, or https://w3id.org/ro/crate/1.1/context (which it fetches) is unreachable"
    ))
  func rocValidatorFindsNoRequiredIssues() throws {
    let scratch = Scratch()
    let bag = try Self.exportAndUnpack(.zstd(), in: scratch)
    let script = """
      import sys
      from rocrate_validator.cli import cli
      sys.argv = ["rocrate-validator", "validate", "-p", "ro-crate-1.1", "-l", "required", "--no-paging",
                  "-f", "text", "-w", "200", sys.argv[1]]
      sys.exit(cli())
      """
    let result = Python.run(["-c", script, bag.appending(path: "data").path])
    #expect(result.status == 0, "roc-validator: \(result.output)")
  }
}
