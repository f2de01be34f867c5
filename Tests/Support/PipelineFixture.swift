import Foundation
import GRDB
import Media
import Platform
import Tiling

/// A temporary catalog with a small synthetic collection (half the patients without lung
/// sliding), transcoded to the working format with the fastest x264 preset.
public struct PipelineFixture: Sendable {
  public let folder: URL
  public let catalog: Catalog
  public let runner: Runner

  /// The first `mixedPatients` patients also get one video of each label, so that they carry both.
  /// `style` is classic by default: these suites test the pipeline, and their figures were set on
  /// synthesize 1.0.0's videos.
  public init(
    patients: Int = 4, mixedPatients: Int = 0, seed: Int = 7, seconds: ClosedRange<Double> = 2.1...2.6,
    siteName: String = "test", style: SyntheticLungVideo.Style = .classic,
    probe: SyntheticLungVideo.Probe? = nil
  ) async throws {
    let test = try TestCatalog(siteName: siteName, prefix: "pleura-pipeline")
    (folder, catalog, runner) = (test.folder, test.catalog, test.runner)
    var synthesize = SynthesizePlugin.Parameters()
    synthesize.patients = patients
    synthesize.seed = seed
    synthesize.absentFraction = 0.5
    synthesize.minSeconds = seconds.lowerBound
    synthesize.maxSeconds = seconds.upperBound
    synthesize.style = style.rawValue
    synthesize.probe = probe?.rawValue ?? "mixed"
    _ = try await runner.run(SynthesizePlugin.self, parameters: synthesize)
    // Synthetic codes are prefix, seed and index: the same seed adds videos to the same
    // patients. One run all present and one all absent give each of them both labels.
    synthesize.patients = mixedPatients
    for absentFraction in [0.0, 1.0] where mixedPatients > 0 {
      synthesize.absentFraction = absentFraction
      _ = try await runner.run(SynthesizePlugin.self, parameters: synthesize)
    }
    var transcode = TranscodePlugin.Parameters()
    transcode.preset = "ultrafast"
    for video in try videos() {
      _ = try await runner.run(
        TranscodePlugin.self, parameters: transcode, inputs: [EntityRef(.sourceVideo, video.id)])
    }
  }

  public func cleanUp() { try? FileManager.default.removeItem(at: folder) }

  /// Two copies of this catalog in `folder` (`local` and `slurm`): the same videos, conversions
  /// and ROIs in each, so that a run made here and one sent to Slurm can be compared.
  public func localAndSlurmCopies(in folder: URL) throws -> (local: URL, slurm: URL) {
    let local = folder.appendingPathComponent("local")
    let slurm = folder.appendingPathComponent("slurm")
    try FileManager.default.copyItem(at: catalog.root, to: local)
    try FileManager.default.copyItem(at: catalog.root, to: slurm)
    return (local, slurm)
  }

  public func videos() throws -> [SourceVideo] {
    try catalog.database.read { db in try SourceVideo.order(Column("created_at"), Column("id")).fetchAll(db) }
  }

  /// Builds a recipe the way `pleura dataset build` does.
  public func build(_ recipe: DatasetRecipe, force: Bool = false) async throws -> RunOutcome {
    let plan = try await catalog.database.read { db in try TilePlan.make(recipe: recipe, in: db) }
    return try await runner.run(
      TilePlugin.self, parameters: .init(recipe: recipe), inputs: plan.inputs, force: force)
  }

  /// The dataset a build made.
  public func dataset(_ outcome: RunOutcome) throws -> Dataset {
    try catalog.database.read { db in
      guard let dataset = try Dataset.fetchOne(db, key: outcome.outputs[0].id) else {
        throw FixtureError("the build made no dataset")
      }
      return dataset
    }
  }

  /// Splits a dataset by patient; returns the split's id.
  public func split(_ dataset: Dataset, _ parameters: SplitPlugin.Parameters = .init()) async throws -> String
  {
    let outcome = try await runner.run(
      SplitPlugin.self, parameters: parameters, inputs: [EntityRef(.dataset, dataset.id)])
    return outcome.outputs[0].id
  }
}

/// A fixture that could not be made as the test needs it.
public struct FixtureError: Error, CustomStringConvertible {
  public var description: String
  public init(_ description: String) { self.description = description }
}
