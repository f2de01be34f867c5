import ArgumentParser
import Platform

extension Pleura {
  struct Init: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Create a new catalog folder for this site.",
      discussion: """
        The folder holds catalog.sqlite (every entity and run) and objects/ (the bytes, by SHA-256). \
        The site name travels in every bundle the catalog exports (default: site-<uuid prefix>).

        Example:
          pleura init --catalog ~/lus-catalog --site-name north-hospital
        """)

    @OptionGroup var catalogOptions: CatalogOptions
    @Option(help: "A name for this site (default: site-<uuid prefix>).") var siteName: String?

    func run() async throws {
      let catalog = try Catalog.create(at: catalogOptions.location, siteName: siteName)
      print(
        "initialised catalog \(catalog.root.path) for site \(catalog.localSite.name) (\(catalog.localSite.uuid))"
      )
    }
  }
}
