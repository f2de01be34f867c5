import Foundation
import Platform
import Primitives
import TestSupport
import Testing

/// Issue 12, items 4 and 5: every command that reads a blob checks it against its hash, and a
/// damaged blob fails the command naming the blob and its entity, writes no output file (not
/// even a partial one) and changes nothing stored. Re-ingesting the original bytes repairs it.
///
/// The deterministic cases below run in `make test`; `benchmarks/integrity/run.sh` runs the
/// randomised harness (`randomisedDamage`) with more cases and records the results.
@Suite(.serialized, .tags(.slow)) struct DamagedBlobCLITests {
  /// Every command, each with one kind of damage (the kinds taken in turn), fixed offsets.
  static let deterministic: [(BlobReadCase, BlobDamage)] = BlobReadCase.all.enumerated().map {
    ($0.element, BlobDamage.allCases[$0.offset % BlobDamage.allCases.count])
  }

  @Test(arguments: deterministic.indices)
  func aDamagedBlobFailsTheCommandAndChangesNothing(_ index: Int) async throws {
    let (readCase, damage) = Self.deterministic[index]
    var generator = SeededGenerator(seed: UInt64(index))
    let problems = try await DamagedBlobHarness.run(readCase, damage, generator: &generator)
    #expect(problems.isEmpty, "\(readCase.name), \(damage): \(problems.joined(separator: "; "))")
  }

  @Test func reingestingTheOriginalBytesRepairsADamagedSource() async throws {
    let (cli, made) = try await PipelineCatalog.shared.copy()
    defer { cli.cleanUp() }
    let original = cli.folder.appendingPathComponent("original.mp4")
    try FileManager.default.copyItem(at: BlobDamage.path(of: made.videoBlob, in: cli.catalog), to: original)
    var generator = SeededGenerator(seed: 1)
    try BlobDamage.truncated.apply(to: made.videoBlob, other: "", in: cli.catalog, generator: &generator)
    #expect(try cli.run(["verify"]).status == 1)
    let frame = cli.folder.appendingPathComponent("f.png").path
    #expect(try cli.run(["frame", made.video, "-o", frame]).status == 1)

    let ingest = try cli.run(["ingest", original.path, "--patient", "SYN-21-001", "--label", "absent"])
    #expect(ingest.status == 0, "\(ingest.stderr)")
    let verify = try cli.run(["verify"])
    #expect(verify.status == 0, "\(verify.stderr)")
    #expect(try cli.run(["frame", made.video, "-o", frame]).status == 0)
    #expect(try SQLiteRows.fetch(cli.catalog, "SELECT count(*) FROM source_video")[0][0] == "6")
  }

  @Test func exportNPYOfATruncatedShardNeitherCrashesNorLeavesAPartialFile() async throws {
    // Before: `Illegal instruction` (exit 132) in DatasetExport.writeNPY and a 128-byte cubes.npy.
    let (cli, made) = try await PipelineCatalog.shared.copy()
    defer { cli.cleanUp() }
    let folder = cli.folder.appendingPathComponent("npy")
    let good = try cli.run(["dataset", "export-npy", "demo@1", folder.path])
    #expect(good.status == 0, "\(good.stderr)")
    let before = try Self.contents(of: folder)
    var generator = SeededGenerator(seed: 2)
    for shard in made.shardBlobs {
      try BlobDamage.truncated.apply(to: shard, other: "", in: cli.catalog, generator: &generator)
    }
    let result = try cli.run(["dataset", "export-npy", "demo@1", folder.path])
    #expect(result.status == 1, "\(result.stderr)")
    #expect(result.stderr.contains("is damaged"), "\(result.stderr)")
    #expect(
      try Self.contents(of: folder) == before, "the earlier export was changed or a partial file was left")
  }

  @Test func exportNPYRemovesThePartialFilesOfAKilledRunAndKeepsALiveOnes() async throws {
    let (cli, _) = try await PipelineCatalog.shared.copy()
    defer { cli.cleanUp() }
    let folder = cli.folder.appendingPathComponent("npy")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let abandoned = ".cubes.npy.partial-\(Int32.max - 1)-0badf00d"
    let live = ".cubes.npy.partial-\(getpid())-0000live"
    for name in [abandoned, live] {
      try Data("half a cube".utf8).write(to: folder.appendingPathComponent(name))
    }
    let result = try cli.run(["dataset", "export-npy", "demo@1", folder.path])
    #expect(result.status == 0, "\(result.stderr)")
    let names = Set(try FileManager.default.contentsOfDirectory(atPath: folder.path))
    #expect(names == ["cubes.npy", "labels.npy", "meta.csv", live])
  }

  /// The randomised harness: `PLEURA_INTEGRITY_CASES` cases from `PLEURA_INTEGRITY_SEED`, each
  /// a random command, kind of damage and offset; results go to `PLEURA_INTEGRITY_REPORT`.
  @Test(.enabled(if: DamagedBlobHarness.randomCases > 0, "set PLEURA_INTEGRITY_CASES to run it"))
  func randomisedDamage() async throws {
    let report = try await DamagedBlobHarness.randomised(
      cases: DamagedBlobHarness.randomCases, seed: DamagedBlobHarness.randomSeed)
    #expect(report.failures.isEmpty, "\(report.failures.joined(separator: "\n"))")
  }

  static func contents(of folder: URL) throws -> [String: Data] {
    var files: [String: Data] = [:]
    for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
      files[name] = try Data(contentsOf: folder.appendingPathComponent(name))
    }
    return files
  }
}
