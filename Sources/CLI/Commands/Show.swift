import ArgumentParser
import Platform

extension Pleura {
  struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show one entity by id (or a unique prefix).",
      discussion: """
        Every column of the entity, the run that made it and the runs that used it.

        Example:
          pleura show vid_3f9a0c12
        """)
    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "An entity id (e.g. vid_3f9a0c12d4e5b6a7), a dataset NAME@V or a video's file name.")
    var id: String

    func run() async throws {
      let catalog = try catalogOptions.openForReading()
      let ref = try await catalog.database.read { db in try EntityLookup.resolve(name: id, in: db) }
      let details = try EntityDetails.read(ref, in: catalog)
      if output.json { return try output.printJSON(details) }
      print("\(details.kind.displayName) \(details.id)")
      for (key, value) in details.fields.sorted(by: { $0.key < $1.key }) where key != "id" {
        print("  \(key): \(value)")
      }
      if !details.madeBy.isEmpty { print("  made by: \(details.madeBy.joined(separator: ", "))") }
      if !details.usedBy.isEmpty { print("  used by: \(details.usedBy.joined(separator: ", "))") }
    }
  }

  struct Lineage: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "The provenance tree of an entity, back to the source files.",
      discussion: """
        Each entity with the run that made it, and that run's inputs, down to the ingested files.

        Example:
          pleura lineage model_9e1f2c3d
        """)
    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "An entity id, a dataset NAME@V or a video's file name.") var id: String

    func run() async throws {
      let catalog = try catalogOptions.openForReading()
      let ref = try await catalog.database.read { db in try EntityLookup.resolve(name: id, in: db) }
      let tree = try LineageNode.build(for: ref, in: catalog)
      if output.json { return try output.printJSON(tree) }
      print(tree.rendered())
    }
  }
}
