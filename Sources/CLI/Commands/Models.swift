import ArgumentParser
import Foundation
import Platform
import Training

extension Pleura {
  struct Models: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List trained models with their site, dataset and evaluations.",
      discussion: """
        With --lineage, each model with the models trained from it below it (`pleura train --init`, \
        `pleura retrain`), down the chain of successors.

        Example:
          pleura models --json
          pleura models --lineage
        """)
    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var output: OutputOptions
    @Flag(help: "Show which model each was trained from (train --init, retrain): chains of successors.")
    var lineage = false

    func run() async throws {
      if lineage {
        let forest = try ModelViews.successorForest(try catalogOptions.openForReading())
        if output.json { return try output.printJSON(forest) }
        return print(ModelViews.rendered(forest))
      }
      let rows = try ModelViews.models(try catalogOptions.openForReading())
      if output.json { return try output.printJSON(rows) }
      Terminal.table(
        ["ID", "SITE", "DATASET", "SPLIT", "ARCH", "WIDTH", "EPOCH KEPT", "EVALUATIONS", "CREATED"],
        rows.map {
          [
            $0.id, $0.site, $0.dataset, $0.split, $0.architecture, $0.widthMultiplier.map { "\($0)" } ?? "-",
            "\($0.chosenEpoch)" + ($0.epochs.map { " of \($0)" } ?? ""), "\($0.evaluations)", $0.createdAt,
          ]
        })
    }
  }

  struct Evaluations: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List evaluations with their site, model, dataset part and headline metrics.",
      discussion: """
        Example:
          pleura evaluations
        """)
    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
      let rows = try ModelViews.evaluations(try catalogOptions.openForReading())
      if output.json { return try output.printJSON(rows) }
      Terminal.table(
        ["ID", "SITE", "MODEL", "DATASET", "PART", "CUBES", "ACCURACY", "AUC", "VIDEO ACC", "CREATED"],
        rows.map {
          [
            $0.id, $0.site, $0.model, $0.dataset, $0.part, $0.cubes.map { "\($0)" } ?? "-",
            TrainingViews.format($0.accuracy), TrainingViews.format($0.auc),
            TrainingViews.format($0.videoAccuracy), $0.createdAt,
          ]
        })
    }
  }
}
