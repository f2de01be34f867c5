import ArgumentParser
import Platform

extension Pleura {
  struct Plugins: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List plugins, show one plugin's parameters, or add an external plugin.",
      discussion: """
        Every catalog change is made by a plugin run; `pleura run NAME` runs any of them. Besides \
        the built-in plugins, external plugins (a folder with a plugin.json, any language; see \
        docs/PLUGINS.md) are found in the catalog's plugins/ folder and in the folders named by \
        PLEURA_PLUGIN_PATH.

        Example:
          pleura plugins show train
        """,
      subcommands: [List.self, ShowPlugin.self, AddPlugin.self, CheckPlugin.self],
      defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
      static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List plugins with the entity kinds they take and make, and where each comes from.",
        discussion: """
          ORIGIN is built-in, catalog (the catalog's plugins/ folder) or PLEURA_PLUGIN_PATH, with \
          the external plugin's folder. An external plugin that cannot be used is named on stderr \
          with what is wrong.

          Example:
            pleura plugins list
          """)
      @OptionGroup var catalogOptions: CatalogOptions
      @OptionGroup var output: OutputOptions

      func run() async throws {
        let plugins = try AllPlugins.registry(catalog: catalogOptions.location).all
        if output.json { return try output.printJSON(plugins.map(PluginInfo.init)) }
        Terminal.table(
          ["NAME", "VERSION", "TAKES", "MAKES", "ORIGIN", "SUMMARY"],
          plugins.map {
            [
              $0.name, $0.version.description, $0.takes.map(\.rawValue).joined(separator: ","),
              $0.makes.map(\.rawValue).joined(separator: ","), $0.origin, $0.summary,
            ]
          })
      }
    }

    struct ShowPlugin: AsyncParsableCommand {
      static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show a plugin's parameters with types and defaults.",
        discussion: """
          Example:
            pleura plugins show transcode
          """)
      @OptionGroup var catalogOptions: CatalogOptions
      @OptionGroup var output: OutputOptions
      @Argument(help: "Plugin name.") var name: String

      func run() async throws {
        let plugin = try AllPlugins.registry(catalog: catalogOptions.location).plugin(named: name)
        if output.json { return try output.printJSON(PluginInfo(plugin)) }
        print("\(plugin.name) \(plugin.version): \(plugin.summary)")
        print("origin: \(plugin.origin)")
        if let external = plugin.external {
          print("command: " + external.manifest.command.joined(separator: " "))
          print("manifest sha256: \(external.manifestSHA256)")
          print("command sha256: \(external.commandSHA256)")
          let resources = external.manifest.resources
          print(
            "resources: \(resources.cpus) cpus, \(resources.memoryMB) MB, \(resources.gpus) gpus, "
              + "\(resources.timeSeconds) s")
        }
        print("takes: \(plugin.takes.map(\.rawValue).joined(separator: ", "))")
        print("makes: \(plugin.makes.map(\.rawValue).joined(separator: ", "))")
        print("reproducible: " + (plugin.reproducible ? "yes (`pleura rerun` checks its runs)" : "no"))
        print("parameters:")
        Terminal.table(
          ["  NAME", "TYPE", "DEFAULT", "HELP"],
          plugin.parameters.map { ["  " + $0.name, $0.type, $0.defaultValue, $0.help] })
      }
    }
  }

  struct PluginInfo: Encodable {
    var name: String
    var version: String
    var summary: String
    var takes: [EntityKind]
    var makes: [EntityKind]
    /// Whether `pleura rerun` can check its runs.
    var reproducible: Bool
    var parameters: [ParameterInfo]
    /// "built-in", or where an external plugin was found and its folder.
    var origin: String
    var manifestSha256: String?
    var commandSha256: String?

    init(_ plugin: RegisteredPlugin) {
      name = plugin.name
      version = plugin.version.description
      summary = plugin.summary
      takes = plugin.takes
      makes = plugin.makes
      reproducible = plugin.reproducible
      parameters = plugin.parameters
      origin = plugin.origin
      manifestSha256 = plugin.external?.manifestSHA256
      commandSha256 = plugin.external?.commandSHA256
    }
  }

  struct RunPlugin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "run", abstract: "Run any plugin by name.",
      discussion: """
        Parameters not given keep their defaults (see `pleura plugins show NAME`); inputs are \
        entity ids. The commands above do the same with checks and tables of their own. An \
        external plugin's run goes to Slurm with --executor slurm, asking for the manifest's \
        resources (docs/CLUSTER.md); built-in plugins go to Slurm through their own commands.

        Example:
          pleura run split --input ds_1a2b3c4d --param seed=7
        """)
    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "Plugin name.") var name: String
    @Option(name: .customLong("input"), help: "An input entity id (repeatable).") var inputs: [String] = []
    @Option(name: .customLong("param"), help: "key=value (repeatable).") var parameters: [String] = []
    @Flag(help: "Run again even if an identical earlier run exists.") var force = false
    @OptionGroup var executorOptions: ExecutorOptions

    func run() async throws {
      let plugin = try AllPlugins.registry(catalog: catalogOptions.location).plugin(named: name)
      let catalog = try catalogOptions.open()
      let refs = try await catalog.database.read { db in
        try inputs.map { try EntityLookup.resolve(name: $0, in: db) }
      }
      if try await executorOptions.chosen(for: catalog) == .slurm {
        if let external = plugin.external {
          return try await executorOptions.submit(
            external: external, assignments: parameters, inputs: refs, catalog: catalog, force: force,
            output: output)
        }
        // A built-in plugin named here runs in this process unless Slurm was asked for by name.
        if executorOptions.executor != nil {
          throw ValidationError(JobError.builtinThroughRun(name).description)
        }
      }
      let outcome = try await plugin.runWithAssignments(
        catalogOptions.runner(catalog), parameters, refs, force)
      if output.json { return try output.printJSON(outcome) }
      RunReport.print(outcome)
    }
  }
}

/// How a run's outcome reads on the terminal.
enum RunReport {
  static func print(_ outcome: RunOutcome) {
    if outcome.reused {
      CLI.print("\(outcome.plugin): reused run \(outcome.runID) (same version, parameters and inputs)")
    } else {
      CLI.print("\(outcome.plugin): run \(outcome.runID) succeeded")
    }
    if !outcome.summary.isEmpty { CLI.print(outcome.summary) }
    if !outcome.outputs.isEmpty {
      CLI.print("outputs: " + outcome.outputs.map(\.id).joined(separator: ", "))
    }
  }
}
