import ArgumentParser
import Foundation
import GRDB
import Platform
import Training

extension Pleura {
  struct Train: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Train a ResNet3D on a dataset's split (Adam, BCE, lowest validation loss kept).",
      discussion: """
        Without --split the dataset's newest split is used. An identical earlier run is reused. \
        `pleura train --resume RUN` continues an interrupted train run from its last epoch's \
        checkpoint (in <catalog>/checkpoints/RUN/) and ends with the same weights.

        Example:
          pleura train all_30x30@1 --arch resnet3d-18 --epochs 16
        """)
    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "A dataset: NAME@V, NAME (the newest), SITE/NAME@V or its id.") var dataset: String?
    @Option(help: "Split id (default: the dataset's newest split).") var split: String?
    @Option(name: .customLong("arch"), help: "resnet3d-18, resnet3d-34 or resnet3d-50.")
    var architecture = "resnet3d-18"
    @Option(help: "Width multiplier of every layer (1 = the study's network).") var width = 0.125
    @Option(help: "Epochs.") var epochs = 16
    @Option(name: .customLong("batch"), help: "Cubes per batch.") var batchSize = 32
    @Option(name: .customLong("lr"), help: "Adam learning rate.") var learningRate = 0.001
    @Flag(help: "Balance the labels by repeating the rarer one's cubes each epoch.") var classWeighting =
      false
    @Option(help: "Seed of initialisation and shuffling.") var seed = 42
    @Option(help: "Engine threads (same seed and threads give the same weights).") var threads = 2
    @Option(help: "Continue this interrupted train run from its checkpoint.") var resume: String?
    @Flag(help: "Train again even if an identical earlier run exists.") var force = false

    func validate() throws {
      try FiniteNumber.check(["--width": width, "--lr": learningRate])
      if resume == nil, dataset == nil { throw ValidationError("give a dataset NAME@V (or --resume RUN)") }
    }

    func run() async throws {
      let catalog = try catalogOptions.open()
      let (parameters, inputs) =
        if let resume { try await resumed(resume, catalog: catalog) } else {
          try await fresh(catalog: catalog)
        }
      let outcome = try await TrainingViews.refusing {
        try await catalogOptions.runner(catalog).run(
          TrainPlugin.self, parameters: parameters, inputs: inputs, force: force)
      }
      if output.json { return try output.printJSON(outcome) }
      RunReport.print(outcome)
      if let modelID = outcome.outputs.first?.id { try TrainingViews.printCurves(modelID, catalog: catalog) }
    }

    private func fresh(catalog: Catalog) async throws -> (TrainPlugin.Parameters, [EntityRef]) {
      var parameters = TrainPlugin.Parameters()
      parameters.architecture = architecture
      parameters.width = width
      parameters.epochs = epochs
      parameters.batchSize = batchSize
      parameters.learningRate = learningRate
      parameters.classWeighting = classWeighting
      parameters.seed = seed
      parameters.threads = threads
      let reference = dataset!
      let inputs = try await catalog.database.read { db -> [EntityRef] in
        let found = try Dataset.find(reference, in: db)
        let splitRef: EntityRef
        if let split {
          splitRef = try EntityLookup.resolve(split, as: [.split], in: db)
        } else {
          guard
            let newest = try Split.filter(Split.Columns.datasetId == found.id).order(
              Column("created_at").desc
            )
            .fetchOne(db)
          else {
            throw ValidationError(
              "\(found.reference) has no split; make one with `pleura split \(found.reference)`")
          }
          splitRef = EntityRef(.split, newest.id)
        }
        return [EntityRef(.dataset, found.id), splitRef]
      }
      return (parameters, inputs)
    }

    /// The interrupted run's own parameters and inputs, continuing from its checkpoint.
    private func resumed(_ text: String, catalog: Catalog) async throws -> (
      TrainPlugin.Parameters, [EntityRef]
    ) {
      try await catalog.database.read { db in
        let ref = try EntityLookup.resolve(text, as: [.run], in: db)
        guard let run = try Run.fetchOne(db, key: ref.id), run.plugin == TrainPlugin.name else {
          throw ValidationError("\(text) is not a train run")
        }
        var parameters = try ParameterSchema.decode(json: run.parametersJson, as: TrainPlugin.self)
        parameters.resume = run.id
        let inputs = try RunEdge.filter(
          RunEdge.Columns.runId == run.id && RunEdge.Columns.direction == RunEdge.Direction.input.rawValue
        ).fetchAll(db).map(\.entity)
        return (parameters, inputs)
      }
    }
  }
}
