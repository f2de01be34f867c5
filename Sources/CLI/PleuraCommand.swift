import ArgumentParser
import Platform

/// The root command only dispatches; each subcommand lives in its own file.
struct Pleura: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pleura",
    abstract: "Lung-ultrasound video collections: ingest, convert, tile, train, explain, share.",
    version: PlatformVersion.current,
    subcommands: [
      Init.self, Status.self, Synthesize.self, Ingest.self, Transcode.self, Frame.self, MMode.self,
      Sheet.self, Roi.self, Label.self, AgreementCommand.self, Serve.self, User.self, Report.self,
      DatasetCommand.self, SplitCommand.self,
      Train.self, Evaluate.self,
      Explain.self, Experiment.self, Rerun.self, Export.self, Import.self, BundleCommand.self,
      Videos.self, Patients.self, Models.self, Evaluations.self, Runs.self, Show.self,
      Lineage.self, Plugins.self, RunPlugin.self, Verify.self, GC.self, BenchCommand.self,
    ]
  )
}
