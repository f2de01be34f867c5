import Foundation
import Platform
import TestSupport
import Testing

/// `pleura plugins add`: the folder is copied whole into the catalog, once; links, a built-in
/// name and another plugin of the same name are refused, leaving the catalog's plugins as they were.
@Suite struct ExternalPluginInstallerTests {
  let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
    "pleura-install-\(UUID().uuidString)")
  var catalogRoot: URL { scratch.appendingPathComponent("catalog") }
  var installed: URL { catalogRoot.appendingPathComponent("plugins") }

  func contents() -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: installed.path)) ?? []).sorted()
  }

  @Test func aPluginIsCopiedOnceAndFoundInTheCatalog() throws {
    defer { try? FileManager.default.removeItem(at: scratch) }
    let source = try ManifestValidationTests.folder(ManifestValidationTests.valid, in: scratch)
    try FileManager.default.createDirectory(
      at: source.appendingPathComponent("lib"), withIntermediateDirectories: true)
    try Data("helper".utf8).write(to: source.appendingPathComponent("lib/helper.txt"))
    let plugin = try ExternalPluginInstaller.add(source, catalogRoot: catalogRoot, reservedNames: ["train"])
    #expect(plugin.folder.path == installed.appendingPathComponent("probe").path)
    #expect(
      FileManager.default.fileExists(atPath: plugin.folder.appendingPathComponent("lib/helper.txt").path))
    #expect(FileManager.default.isExecutableFile(atPath: plugin.folder.appendingPathComponent("run.sh").path))
    let again = try ExternalPluginInstaller.add(source, catalogRoot: catalogRoot, reservedNames: ["train"])
    #expect(again.manifestSHA256 == plugin.manifestSHA256)
    #expect(contents() == ["probe"])
    let found = ExternalPluginFinder.find(catalogRoot: catalogRoot, environment: [:])
    #expect(found.plugins.map(\.manifest.name) == ["probe"] && found.plugins.first?.origin == "catalog")
  }

  @Test func refusalsLeaveTheCatalogsPluginsAsTheyWere() throws {
    defer { try? FileManager.default.removeItem(at: scratch) }
    let source = try ManifestValidationTests.folder(ManifestValidationTests.valid, in: scratch)
    _ = try ExternalPluginInstaller.add(source, catalogRoot: catalogRoot, reservedNames: [])
    // Another plugin of the same name.
    var changed = ManifestValidationTests.valid
    changed["summary"] = "Probes differently."
    let other = try ManifestValidationTests.folder(changed, in: scratch)
    #expect(throws: ExternalPluginInstaller.InstallError.self) {
      try ExternalPluginInstaller.add(other, catalogRoot: catalogRoot, reservedNames: [])
    }
    // A built-in plugin's name.
    #expect(throws: ExternalPluginInstaller.InstallError.self) {
      try ExternalPluginInstaller.add(other, catalogRoot: catalogRoot, reservedNames: ["probe"])
    }
    // A link anywhere in the folder.
    var renamed = ManifestValidationTests.valid
    renamed["name"] = "linked"
    let linked = try ManifestValidationTests.folder(renamed, in: scratch)
    try FileManager.default.createSymbolicLink(
      atPath: linked.appendingPathComponent("secrets").path, withDestinationPath: "/etc")
    do {
      _ = try ExternalPluginInstaller.add(linked, catalogRoot: catalogRoot, reservedNames: [])
      Issue.record("a folder with a link was added")
    } catch {
      #expect("\(error)".contains("symbolic link"), "\(error)")
    }
    #expect(contents() == ["probe"])
  }
}
