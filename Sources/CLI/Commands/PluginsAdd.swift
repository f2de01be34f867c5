import ArgumentParser
import Foundation
import Platform

extension Pleura.Plugins {
  struct AddPlugin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "add", abstract: "Copy an external plugin's folder into the catalog's plugins/ folder.",
      discussion: """
        The folder must hold a valid plugin.json (see docs/PLUGINS.md); it is checked, then copied \\
        whole (regular files only) to CATALOG/plugins/NAME, so that the catalog keeps the exact \\
        files its runs record by SHA-256. Adding the same files again changes nothing; a different \\
        plugin of the same name is refused.

        Example:
          pleura plugins add plugins/mmode-logistic
        """)
    @OptionGroup var catalogOptions: CatalogOptions
    @Argument(help: "The plugin's folder.") var folder: String

    func run() async throws {
      let catalog = try catalogOptions.open()
      let plugin = try ExternalPluginInstaller.add(
        URL(fileURLWithPath: folder), catalogRoot: catalog.root,
        reservedNames: try BuiltinPlugins.registry().names)
      print("added \(plugin.manifest.name) \(plugin.manifest.version) in \(plugin.folder.path)")
    }
  }

  struct CheckPlugin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "check", abstract: "Check an external plugin's plugin.json and print every problem.",
      discussion: """
        Prints one line per problem, naming the file and the field, and exits 1 when there is any.

        Example:
          pleura plugins check plugins/mmode-logistic
        """)
    @Argument(help: "The plugin's folder.") var folder: String

    func run() async throws {
      let plugin = try ExternalPlugin.load(folder: URL(fileURLWithPath: folder), origin: "check")
      print("\(plugin.manifest.name) \(plugin.manifest.version): manifest is valid")
    }
  }
}
