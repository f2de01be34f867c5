import ArgumentParser
import Foundation
import Platform
import Training

/// Every option's default is the plugin's own.
private let defaults = TrainPlugin.Parameters()

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
    var architecture = defaults.architecture
    @Option(help: "Width multiplier of every layer (1 = the study's network).") var width = defaults.width
    @Option(help: "Epochs.") var epochs = defaults.epochs
    @Option(name: .customLong("batch"), help: "Cubes per batch.") var batchSize = defaults.batchSize
    @Option(name: .customLong("lr"), help: "Adam learning rate.") var learningRate = defaults.learningRate
    @Flag(help: "Balance the labels by repeating the rarer one's cubes each epoch.") var classWeighting =
      false
    @Option(help: "Seed of initialisation and shuffling.") var seed = defaults.seed
    @Option(help: "Engine threads (same seed and threads give the same weights).") var threads = defaults
      .threads
    @Option(help: "Continue this interrupted train run from its checkpoint.") var resume: String?
    @Flag(help: "Train again even if an identical earlier run exists.") var force = false

    func validate() throws {
      try FiniteNumber.check(["--width": width, "--lr": learningRate])
      if resume == nil, dataset == nil { throw ValidationError("give a dataset NAME@V (or --resume RUN)") }
    }

    var parameters: TrainPlugin.Parameters {
      var parameters = TrainPlugin.Parameters()
      parameters.architecture = architecture
      parameters.width = width
      parameters.epochs = epochs
      parameters.batchSize = batchSize
      parameters.learningRate = learningRate
      parameters.classWeighting = classWeighting
      parameters.seed = seed
      parameters.threads = threads
      return parameters
    }

    func run() async throws {
      let catalog = try catalogOptions.open()
      let fresh = self.parameters
      let (parameters, inputs) = try await TrainingViews.refusing {
        try await catalog.database.read { db in
          if let resume { return try TrainPlugin.resumption(of: resume, in: db) }
          guard let dataset else { throw ValidationError("give a dataset NAME@V (or --resume RUN)") }
          return (fresh, try TrainPlugin.inputs(dataset: dataset, split: split, in: db))
        }
      }
      let outcome = try await TrainingViews.refusing {
        try await catalogOptions.runner(catalog).run(
          TrainPlugin.self, parameters: parameters, inputs: inputs, force: force)
      }
      if output.json { return try output.printJSON(outcome) }
      RunReport.print(outcome)
      if let modelID = outcome.outputs.first?.id { try TrainingViews.printCurves(modelID, catalog: catalog) }
    }
  }
}
