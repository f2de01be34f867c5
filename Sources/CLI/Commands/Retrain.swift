import ArgumentParser
import Foundation
import Platform
import Training

/// The comparison's defaults are the evaluate plugin's own.
private let evaluateDefaults = EvaluatePlugin.Parameters()

extension Pleura {
  struct Retrain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Train a model's successor on the newest version of its dataset and compare the two.",
      discussion: """
        The successor starts from MODEL's weights and is trained with MODEL's recorded parameters \
        (--epochs, --lr and --freeze-stages override them) on the newest version of MODEL's dataset, \
        or on --dataset. Its split continues MODEL's: every patient MODEL's split had keeps its part \
        (so MODEL's test patients stay in the test part), and only new patients are dealt out. \
        Both models are then evaluated on that test part and printed side by side, with the \
        difference of each metric (new minus old) and its 95% interval from a paired bootstrap \
        over patients, and McNemar's test on the videos. Every step is an ordinary recorded run: \
        the successor's lineage names MODEL, and `pleura models --lineage` shows the chain.

        Example:
          pleura retrain model_9e1f2c3d --dataset all_30x30@latest
        """)
    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The model to retrain (its id or a unique prefix).") var model: String
    @Option(help: "NAME@V, NAME@latest or NAME (default: the newest version of the model's dataset).")
    var dataset: String?
    @Option(help: "Override the epochs (default: the model's).") var epochs: Int?
    @Option(name: .customLong("lr"), help: "Override the Adam learning rate (default: the model's).")
    var learningRate: Double?
    @Option(help: "Hold conv1 and the first N stages at the model's weights (default: the model's run's).")
    var freezeStages: Int?
    @Option(help: "Bootstrap replicates over patients.") var bootstrap = evaluateDefaults.bootstrap
    @Option(help: "Seed of the bootstrap.") var seed = evaluateDefaults.seed
    @Flag(help: "Train again even if an identical earlier run exists.") var force = false

    func validate() throws { try FiniteNumber.check(["--lr": learningRate]) }

    func run() async throws {
      let catalog = try catalogOptions.open()
      var plan = try await TrainingViews.refusing {
        try await catalog.database.read { db in try Retraining.plan(model: model, dataset: dataset, in: db) }
      }
      if let epochs { plan.train.epochs = epochs }
      if let learningRate { plan.train.learningRate = learningRate }
      if let freezeStages { plan.train.freezeStages = freezeStages }
      var evaluate = EvaluatePlugin.Parameters()
      evaluate.bootstrap = bootstrap
      evaluate.seed = seed
      evaluate.threads = plan.train.threads
      let result = try await TrainingViews.refusing { [plan, evaluate] in
        try await Retraining.run(
          plan, evaluate: evaluate, runner: catalogOptions.runner(catalog), force: force)
      }
      if output.json { return try output.printJSON(result) }
      for run in result.runs { RunReport.print(run) }
      print(
        "\n\(result.successor) retrained from \(result.parent) on \(result.dataset), split \(result.split); "
          + "both on its test part (\(result.comparison.video.count) videos, "
          + "\(result.comparison.video.patients) patients)")
      TrainingViews.printComparison(result.comparison)
    }
  }
}

extension TrainingViews {
  /// Two models side by side on the same examples: each metric, the difference and its paired
  /// interval, at cube and video level, then McNemar's test on the videos.
  static func printComparison(_ comparison: ModelComparison) {
    for (level, paired) in [("cubes", comparison.cube), ("videos", comparison.video)] {
      print(
        "\n\(level) (\(paired.count), \(paired.patients) patients); 95% CI of the difference by paired "
          + "bootstrap over patients, stratified by label (\(paired.replicates))")
      Terminal.table(
        ["METRIC", "OLD " + comparison.first, "NEW " + comparison.second, "NEW - OLD", "95% CI"],
        paired.differences.map {
          [
            $0.metric, format($0.first), format($0.second), format($0.difference),
            $0.interval.map { "[\(format($0.lower)), \(format($0.upper))]" } ?? "-",
          ]
        })
    }
    let test = comparison.videoMcNemar
    print(
      "\nMcNemar (videos): old right and new wrong \(test.firstOnlyCorrect), new right and old wrong "
        + "\(test.secondOnlyCorrect); \(test.method.rawValue)"
        + (test.statistic.map { String(format: " statistic %.3f,", $0) } ?? ",")
        + String(format: " p = %.4f", test.pValue))
  }
}
