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
        checkpoint (in <catalog>/checkpoints/RUN/) and ends with the same weights. \
        `--init MODEL` starts from a model's weights instead of a fresh initialisation (fine-tuning, \
        with this run's own --lr): the architecture and width are the model's unless given, and must \
        fit; `--freeze-stages N` holds conv1 and the first N stages at the model's values. The new \
        model's lineage goes through MODEL.

        Example:
          pleura train all_30x30@1 --arch resnet3d-18 --epochs 16
          pleura train site_b@1 --init model_9e1f2c3d --freeze-stages 2 --lr 0.0001
        """)
    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var executorOptions: ExecutorOptions
    @Argument(help: "A dataset: NAME@V, NAME (the newest), SITE/NAME@V or its id.") var dataset: String?
    @Option(help: "Split id (default: the dataset's newest split).") var split: String?
    @Option(
      name: .customLong("arch"),
      help: "resnet3d-18, resnet3d-34 or resnet3d-50 (default: \(defaults.architecture), or --init's).")
    var architecture: String?
    @Option(
      help: "Width multiplier of every layer, 1 = the study's (default: \(defaults.width), or --init's).")
    var width: Double?
    @Option(help: "Epochs.") var epochs = defaults.epochs
    @Option(name: .customLong("batch"), help: "Cubes per batch.") var batchSize = defaults.batchSize
    @Option(name: .customLong("lr"), help: "Adam learning rate.") var learningRate = defaults.learningRate
    @Flag(help: "Balance the labels by repeating the rarer one's cubes each epoch.") var classWeighting =
      false
    @Option(help: "Seed of initialisation and shuffling.") var seed = defaults.seed
    @Option(help: "Engine threads (same seed and threads give the same weights).") var threads = defaults
      .threads
    @Option(help: "Continue this interrupted train run from its checkpoint.") var resume: String?
    @Option(name: .customLong("init"), help: "Start from this model's weights (fine-tuning).") var initModel:
      String?
    @Option(help: "With --init: hold conv1 and the first N stages at the model's weights (0-4).")
    var freezeStages = defaults.freezeStages
    @Flag(help: "Train again even if an identical earlier run exists.") var force = false

    func validate() throws {
      try FiniteNumber.check(["--width": width, "--lr": learningRate])
      if resume == nil, dataset == nil { throw ValidationError("give a dataset NAME@V (or --resume RUN)") }
      if resume != nil, initModel != nil {
        throw ValidationError("--resume continues a run as it was; drop --init")
      }
    }

    var parameters: TrainPlugin.Parameters {
      var parameters = TrainPlugin.Parameters()
      parameters.architecture = architecture ?? defaults.architecture
      parameters.width = width ?? defaults.width
      parameters.epochs = epochs
      parameters.batchSize = batchSize
      parameters.learningRate = learningRate
      parameters.classWeighting = classWeighting
      parameters.seed = seed
      parameters.threads = threads
      parameters.freezeStages = freezeStages
      return parameters
    }

    func run() async throws {
      let catalog = try catalogOptions.open()
      let fresh = self.parameters
      let (parameters, inputs) = try await TrainingViews.refusing {
        try await catalog.database.read { db in
          if let resume { return try TrainPlugin.resumption(of: resume, in: db) }
          guard let dataset else { throw ValidationError("give a dataset NAME@V (or --resume RUN)") }
          let inputs = try TrainPlugin.inputs(dataset: dataset, split: split, in: db)
          guard let initModel else { return (fresh, inputs) }
          return try TrainPlugin.fineTuning(
            fresh, inputs: inputs, from: initModel, architecture: architecture, width: width, in: db)
        }
      }
      if try await executorOptions.chosen(for: catalog) == .slurm {
        return try await TrainingViews.refusing {
          try await executorOptions.submit(
            TrainPlugin.self, parameters: parameters, inputs: inputs, catalog: catalog, force: force,
            output: output)
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
