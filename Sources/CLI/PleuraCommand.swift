import ArgumentParser
import Platform

/// The root command only dispatches; each subcommand lives in its own file.
struct Pleura: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pleura",
    abstract: "Lung-ultrasound video collections: ingest, convert, tile, train, explain, share.",
    discussion: """
      One catalog folder holds the videos, their regions of interest, cube datasets, models, \
      evaluations and every run that made them: --catalog DIR, else $PLEURA_CATALOG, else \
      ./pleura-catalog. Every command explains itself with --help (or `pleura help COMMAND`). \
      Exit codes: 0 success, 1 failure, 2 usage error.

      Example, a first session:
        pleura init
        pleura ingest scan1.mp4 scan2.avi --patient P001 --label present
        pleura transcode --all
        pleura roi suggest --all --apply
        pleura dataset build all_30x30
        pleura split all_30x30@1
        pleura train all_30x30@1
      """,
    version: PlatformVersion.current,
    groupedSubcommands: [
      CommandGroup(name: "Catalog", subcommands: [Init.self, Status.self, Verify.self, GC.self]),
      CommandGroup(
        name: "Videos",
        subcommands: [
          Ingest.self, Synthesize.self, Transcode.self, Frame.self, MMode.self, Sheet.self, Roi.self,
        ]),
      CommandGroup(
        name: "Curation",
        subcommands: [Label.self, AgreementCommand.self, Serve.self, User.self, Report.self]),
      CommandGroup(
        name: "Datasets and models",
        subcommands: [
          DatasetCommand.self, SplitCommand.self, Train.self, Retrain.self, Evaluate.self, Explain.self,
          Experiment.self,
        ]),
      CommandGroup(name: "Sharing", subcommands: [Export.self, Import.self, BundleCommand.self]),
      CommandGroup(
        name: "Looking around",
        subcommands: [
          Videos.self, Patients.self, Models.self, Evaluations.self, Runs.self, Show.self, Lineage.self,
        ]),
      CommandGroup(
        name: "Plugins and runs", subcommands: [Plugins.self, RunPlugin.self, Rerun.self, BenchCommand.self]),
      CommandGroup(name: "Cluster", subcommands: [Jobs.self, JobCommand.self]),
    ]
  )
}
