import ArgumentParser
import Media
import Platform

/// Every option's default is the plugin's own.
private let defaults = SynthesizePlugin.Parameters()

extension Pleura {
  struct Synthesize: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Generate synthetic lung-ultrasound videos with known labels and pleural ROIs.",
      discussion: """
        For trying Pleura without patient data: each synthetic patient gets videos with lung sliding \
        present or absent (the label) and an ROI around the pleural line. The videos are stored as \
        source videos like ingested ones; the same seed gives the same frames.

        Example:
          pleura synthesize --patients 12 --seed 1
        """)
    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var output: OutputOptions
    @Option(help: "Number of synthetic patients.") var patients = defaults.patients
    @Option(help: "Videos per patient.") var videosPerPatient = defaults.videosPerPatient
    @Option(help: "Share of patients without lung sliding.") var absentFraction = defaults.absentFraction
    @Option(help: "Shortest video in seconds.") var minSeconds = defaults.minSeconds
    @Option(help: "Longest video in seconds.") var maxSeconds = defaults.maxSeconds
    @Option(help: "Seed: the same seed gives the same decoded frames.") var seed = defaults.seed
    @Option(
      help:
        "realistic (linear and convex probes, chest wall, rib shadows, overlays) or classic (synthesize 1.0.0's videos)."
    )
    var style = defaults.style
    @Option(help: "Probe of realistic videos: linear, convex or mixed.") var probe = defaults.probe
    @Flag(help: "Generate again even if an identical earlier run exists.") var force = false

    func validate() throws {
      try FiniteNumber.check(
        ["--absent-fraction": absentFraction, "--min-seconds": minSeconds, "--max-seconds": maxSeconds])
    }

    var parameters: SynthesizePlugin.Parameters {
      var parameters = SynthesizePlugin.Parameters()
      parameters.patients = patients
      parameters.videosPerPatient = videosPerPatient
      parameters.absentFraction = absentFraction
      parameters.minSeconds = minSeconds
      parameters.maxSeconds = maxSeconds
      parameters.seed = seed
      parameters.style = style
      parameters.probe = probe
      return parameters
    }

    func run() async throws {
      let parameters = parameters
      let catalog = try catalogOptions.open()
      let outcome: RunOutcome
      do {
        outcome = try await catalogOptions.runner(catalog).run(
          SynthesizePlugin.self, parameters: parameters, force: force)
      } catch let error as SynthesizeError {
        throw ValidationError(error.description)
      }
      if output.json { return try output.printJSON(outcome) }
      print(
        outcome.reused
          ? "synthesize: reused run \(outcome.runID)" : "synthesize: run \(outcome.runID) succeeded")
      print(outcome.summary.split(separator: "\n").last.map(String.init) ?? "")
    }
  }
}
