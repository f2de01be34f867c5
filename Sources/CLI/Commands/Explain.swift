import ArgumentParser
import Foundation
import Platform
import Training

/// Every option's default is the plugin's own.
private let defaults = ExplainPlugin.Parameters()

extension Pleura {
  struct Explain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Saliency of a model on cubes (vanilla gradient, SmoothGrad): .npy maps and PNG pictures.",
      discussion: """
        Writes MODEL-saliency.npy (float32 [cubes, 2 (vanilla, SmoothGrad), frames, size, size]), \
        MODEL-strip.png (the study's Figure 5 layout: input, vanilla, SmoothGrad; every 6th frame) and \
        MODEL-overlay.png (the maps of one clip's tiles over its full frames) into the output folder.

        Example:
          pleura explain model_9e1f2c3d -o saliency
        """)
    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var executorOptions: ExecutorOptions
    @Argument(help: "Model id.") var model: String
    @Option(help: "NAME@V the cubes come from (default: the model's dataset).") var dataset: String?
    @Option(help: "Comma-separated cube ids (default: the first cube of each label in the test part).")
    var cubes = defaults.cubes
    @Option(help: "SmoothGrad noise as a share of the input range.") var noise = defaults.noise
    @Option(help: "SmoothGrad samples.") var samples = defaults.samples
    @Option(help: "Show every n-th frame.") var every = defaults.every
    @Flag(help: "Skip the overlay on the full frames.") var noOverlay = false
    @Option(help: "Engine threads.") var threads = defaults.threads
    @Option(name: [.customShort("o"), .customLong("output")], help: "Folder for the files (created).")
    var folder: String

    func validate() throws { try FiniteNumber.check(["--noise": noise]) }

    var parameters: ExplainPlugin.Parameters {
      var parameters = ExplainPlugin.Parameters()
      parameters.cubes = cubes
      parameters.noise = noise
      parameters.samples = samples
      parameters.every = every
      parameters.overlay = !noOverlay
      parameters.threads = threads
      return parameters
    }

    func run() async throws {
      let out = try OutputPath.folder(folder)
      let catalog = try catalogOptions.open()
      let inputs = try await catalog.database.read { db in
        try Model.scoringInputs(model: model, dataset: dataset, in: db)
      }
      let parameters = parameters
      // On Slurm the run is only submitted: once collected, the same command here takes the
      // landed run from the run cache and writes its pictures.
      if try await TrainingViews.sentToSlurm(
        ExplainPlugin.self, parameters: parameters, inputs: inputs, catalog: catalog,
        executor: executorOptions,
        output: output)
      {
        return
      }
      let outcome = try await TrainingViews.refusing {
        try await catalogOptions.runner(catalog).run(
          ExplainPlugin.self, parameters: parameters, inputs: inputs)
      }
      let written = try Self.writeFiles(outcome, model: inputs[0].id, catalog: catalog, to: out)
      if output.json {
        struct Output: Encodable {
          var run: RunOutcome
          var files: [String]
        }
        return try output.printJSON(Output(run: outcome, files: written.map(\.path)))
      }
      RunReport.print(outcome)
      for file in written { print("wrote \(file.path)") }
    }

    /// Copies the blobs the run lists (`NAME SHA256` lines of its summary) to `MODEL-NAME`.
    static func writeFiles(_ outcome: RunOutcome, model: String, catalog: Catalog, to folder: OutputPath)
      throws -> [URL]
    {
      try folder.create()
      var written: [URL] = []
      for line in outcome.summary.split(separator: "\n") {
        let parts = line.split(separator: " ")
        guard parts.count == 2, ExplainPlugin.outputNames.contains(String(parts[0])) else { continue }
        let target = try OutputPath.file(folder.url.appendingPathComponent("\(model)-\(parts[0])").path)
        try target.write(catalog.blobs.read(String(parts[1]), of: "\(parts[0]) of run \(outcome.runID)"))
        written.append(target.url)
      }
      return written
    }
  }
}
