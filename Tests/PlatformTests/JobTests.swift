import Foundation
import TestSupport
import Testing

@testable import Platform

/// The parts of the Slurm executor that need no Slurm: the batch script's options, the job
/// workspace's blob store, and refusals of bad specifications. (SlurmCLITests runs real jobs.)
@Suite struct JobTests {
  @Test func resourcesBecomeSbatchLinesAndHostileValuesAreRefused() throws {
    let resources = JobResources(
      partition: "gpu", gres: "gpu:1", time: "2:00:00", account: "lus", cpusPerTask: 2)
    #expect(
      try resources.sbatchLines() == [
        "#SBATCH --partition=gpu", "#SBATCH --gres=gpu:1", "#SBATCH --time=2:00:00", "#SBATCH --account=lus",
        "#SBATCH --cpus-per-task=2",
      ])
    // A value may never add a line, a second option or a shell word to the script.
    for hostile in ["gpu\n#SBATCH --uid=0", "a b", "x;rm -rf /", "$(id)", "`id`", ""] {
      #expect(throws: JobError.self) { try JobResources(partition: hostile).sbatchLines() }
    }
    // What a command gives replaces what the plugin declared; what it does not give stays.
    let merged = JobResources(time: "1:00:00", cpusPerTask: 4).overridden(by: JobResources(time: "3:00:00"))
    #expect(merged == JobResources(time: "3:00:00", cpusPerTask: 4))
  }

  @Test func aWorkspaceStoreReadsThroughButNeverWritesThere() throws {
    let test = try TestCatalog()
    defer { test.cleanUp() }
    let catalogBlob = try test.catalog.blobs.store(data: Data("input".utf8))
    let workspace = test.file("task/objects")
    let store = BlobStore(root: workspace, readThrough: test.catalog.blobs.root)
    #expect(store.contains(catalogBlob.sha256))
    #expect(try store.read(catalogBlob.sha256, of: "an input") == Data("input".utf8))
    // Writing the same bytes, or new ones, lands in the workspace only.
    try FileManager.default.createDirectory(
      at: workspace.appendingPathComponent("staging"), withIntermediateDirectories: true)
    let before = try CatalogSnapshot.files(under: test.catalog.blobs.root)
    let again = try store.store(data: Data("input".utf8))
    let made = try store.store(data: Data("output".utf8))
    #expect(try CatalogSnapshot.files(under: test.catalog.blobs.root) == before)
    #expect(FileManager.default.fileExists(atPath: try store.ownURL(for: again.sha256).path))
    #expect(FileManager.default.fileExists(atPath: try store.ownURL(for: made.sha256).path))
    #expect(!test.catalog.blobs.contains(made.sha256))
  }

  @Test func aSpecThatIsNotOneIsRefusedInOneLine() async throws {
    let test = try TestCatalog()
    defer { test.cleanUp() }
    let file = test.file("submission.json")
    try Data("{\"not\": \"a spec\"}".utf8).write(to: file)
    await #expect(throws: JobError.self) {
      _ = try await JobWorker.run(spec: file, task: 0, logger: .init(label: "test"), progress: .silent) {
        _, _, _, _ in throw CancellationError()
      }
    }
    #expect(throws: JobError.self) { try Executor.parse("kubernetes") }
  }
}
