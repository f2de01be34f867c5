import ArgumentParser
import Platform

extension Pleura {
  struct Plugins: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List plugins, or show one plugin's parameters.",
      discussion: """
        Every catalog change is made by a plugin run; `pleura run NAME` runs any of them.

        Example:
          pleura plugins show train
        """,
      subcommands: [List.self, ShowPlugin.self], defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
      static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List plugins with the entity kinds they take and make.",
        discussion: """
          Example:
            pleura plugins list
          """)
      @OptionGroup var output: OutputOptions

      func run() async throws {
        let plugins = try BuiltinPlugins.registry().all
        if output.json { return try output.printJSON(plugins.map(PluginInfo.init)) }
        Terminal.table(
          ["NAME", "VERSION", "TAKES", "MAKES", "SUMMARY"],
          plugins.map {
            [
              $0.name, $0.version.description, $0.takes.map(\.rawValue).joined(separator: ","),
              $0.makes.map(\.rawValue).joined(separator: ","), $0.summary,
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
      @OptionGroup var output: OutputOptions
      @Argument(help: "Plugin name.") var name: String

      func run() async throws {
        let plugin = try BuiltinPlugins.registry().plugin(named: name)
        if output.json { return try output.printJSON(PluginInfo(plugin)) }
        print("\(plugin.name) \(plugin.version): \(plugin.summary)")
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

    init(_ plugin: RegisteredPlugin) {
      name = plugin.name
      version = plugin.version.description
      summary = plugin.summary
      takes = plugin.takes
      makes = plugin.makes
      reproducible = plugin.reproducible
      parameters = plugin.parameters
    }
  }

  struct RunPlugin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "run", abstract: "Run any plugin by name.",
      discussion: """
        Parameters not given keep their defaults (see `pleura plugins show NAME`); inputs are \
        entity ids. The commands above do the same with checks and tables of their own.

        Example:
          pleura run split --input ds_1a2b3c4d --param seed=7
        """)
    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "Plugin name.") var name: String
    @Option(name: .customLong("input"), help: "An input entity id (repeatable).") var inputs: [String] = []
    @Option(name: .customLong("param"), help: "key=value (repeatable).") var parameters: [String] = []
    @Flag(help: "Run again even if an identical earlier run exists.") var force = false

    func run() async throws {
      let plugin = try BuiltinPlugins.registry().plugin(named: name)
      let catalog = try catalogOptions.open()
      let refs = try await catalog.database.read { db in
        try inputs.map { try EntityLookup.resolve(name: $0, in: db) }
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
