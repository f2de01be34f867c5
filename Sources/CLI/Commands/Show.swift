import ArgumentParser
import Platform

extension Pleura {
  struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show one entity by id (or a unique prefix).")
    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "An entity id, e.g. vid_3f9a0c12d4e5b6a7.") var id: String

    func run() async throws {
      let catalog = try catalogOptions.openForReading()
      let ref = try await catalog.database.read { db in try EntityLookup.resolve(id, in: db) }
      let details = try EntityDetails.read(ref, in: catalog)
      if output.json { return try output.printJSON(details) }
      print("\(details.kind.displayName) \(details.id)")
      for key in details.fields.keys.sorted() where key != "id" {
        print("  \(key): \(details.fields[key]!)")
      }
      if !details.madeBy.isEmpty { print("  made by: \(details.madeBy.joined(separator: ", "))") }
      if !details.usedBy.isEmpty { print("  used by: \(details.usedBy.joined(separator: ", "))") }
    }
  }

  struct Lineage: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "The provenance tree of an entity, back to the source files.")
    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "An entity id.") var id: String

    func run() async throws {
      let catalog = try catalogOptions.openForReading()
      let ref = try await catalog.database.read { db in try EntityLookup.resolve(id, in: db) }
      let tree = try LineageNode.build(for: ref, in: catalog)
      if output.json { return try output.printJSON(tree) }
      print(tree.rendered())
    }
  }
}
