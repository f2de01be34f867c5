import ArgumentParser
import Foundation
import Server

extension Pleura {
  struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Write the experiment report as one self-contained HTML file (pictures inlined).",
      discussion: """
        Table 4 (test accuracy, sensitivity, specificity, F1, AUC) for the models named, or for every model
        of the catalog (an experiment's grid), then per model its training curves, the dataset's cubes per
        part and label, each evaluation's metrics with intervals, confusion matrices and ROC curve, and the
        saliency strips of its `pleura explain` runs. It opens offline and can be sent as an attachment.

        Example:
          pleura report -o report.html
        """)
    @OptionGroup var catalogOptions: CatalogOptions
    @Argument(help: "Model ids (default: every model).") var models: [String] = []
    @Option(name: .shortAndLong, help: "Output HTML file.") var output: String

    func run() async throws {
      let file = URL(fileURLWithPath: output)
      guard !FileManager.default.fileExists(atPath: file.path) else {
        throw ValidationError("\(output) already exists; choose another file or remove it")
      }
      let catalog = try catalogOptions.open()
      let html = try ExperimentReport.html(models: models, catalog: catalog)
      try Data(html.utf8).write(to: file, options: .withoutOverwriting)
      print("wrote \(output) (\(html.utf8.count / 1024) KiB, pictures inlined)")
    }
  }
}
