import Foundation

/// An external plugin found on disk: its checked manifest, its folder, where it was found, and
/// the SHA-256 of its manifest and program, which every run records (a plugin edited in place
/// is a different plugin even at the same version).
public struct ExternalPlugin: Sendable, Equatable {
  public var manifest: PluginManifest
  public var folder: URL
  /// Where Pleura found it: "catalog" or "PLEURA_PLUGIN_PATH".
  public var origin: String
  public var manifestSHA256: String
  public var commandSHA256: String

  /// The plugin in `folder`, checked (``ManifestReader``).
  public static func load(folder: URL, origin: String) throws -> ExternalPlugin {
    let manifest = try ManifestReader.read(folder: folder)
    let program = PluginFolder.program(manifest.command[0], in: folder)
    do {
      return ExternalPlugin(
        manifest: manifest, folder: folder.standardizedFileURL, origin: origin,
        manifestSHA256: try SHA256Hex.digest(fileAt: folder.appendingPathComponent("plugin.json")).sha256,
        commandSHA256: try SHA256Hex.digest(fileAt: program).sha256)
    } catch {
      throw ManifestError(problems: ["\(folder.path): cannot be read to hash its manifest and program"])
    }
  }

  /// The program with its arguments, as the process is started.
  var argv: [String] {
    [PluginFolder.program(manifest.command[0], in: folder).path] + manifest.command.dropFirst()
  }

  /// Whether the files are still those that were hashed when the plugin was found: a run of a
  /// plugin edited since then would record digests of files it did not run.
  func unchangedOnDisk() -> Bool {
    let manifest = try? SHA256Hex.digest(fileAt: folder.appendingPathComponent("plugin.json")).sha256
    let program = try? SHA256Hex.digest(fileAt: PluginFolder.program(self.manifest.command[0], in: folder))
      .sha256
    return manifest == manifestSHA256 && program == commandSHA256
  }
}

/// Finds external plugins: each folder holding a `plugin.json` in the catalog's `plugins/`
/// folder, then in the folders named by `PLEURA_PLUGIN_PATH` (colon-separated, in order).
public enum ExternalPluginFinder {
  public static let environmentVariable = "PLEURA_PLUGIN_PATH"

  /// The catalog's own plugin folder (`pleura plugins add` copies plugins there).
  public static func catalogFolder(of catalogRoot: URL) -> URL {
    catalogRoot.appendingPathComponent("plugins")
  }

  public struct Found: Sendable {
    public var plugins: [ExternalPlugin] = []
    /// One line per folder that could not be used, naming its file and field.
    public var problems: [String] = []
  }

  public static func find(
    catalogRoot: URL?, environment: [String: String] = ProcessInfo.processInfo.environment
  ) -> Found {
    var places: [(URL, String)] = []
    if let catalogRoot { places.append((catalogFolder(of: catalogRoot), "catalog")) }
    for entry in (environment[environmentVariable] ?? "").split(separator: ":") where !entry.isEmpty {
      places.append((URL(fileURLWithPath: String(entry)), environmentVariable))
    }
    var found = Found()
    for (place, origin) in places {
      for folder in candidates(in: place) {
        do {
          let plugin = try ExternalPlugin.load(folder: folder, origin: origin)
          if let earlier = found.plugins.first(where: { $0.manifest.name == plugin.manifest.name }) {
            found.problems.append(
              "\(folder.path)/plugin.json: name: \(plugin.manifest.name) is already the plugin in \(earlier.folder.path); this one is ignored"
            )
            continue
          }
          found.plugins.append(plugin)
        } catch let error as ManifestError {
          found.problems += error.problems
        } catch {
          found.problems.append("\(folder.path): \(error)")
        }
      }
    }
    return found
  }

  /// `place` itself when it holds a manifest, else its subfolders that do, in name order.
  static func candidates(in place: URL) -> [URL] {
    let fm = FileManager.default
    if fm.fileExists(atPath: place.appendingPathComponent("plugin.json").path) { return [place] }
    let names = (try? fm.contentsOfDirectory(atPath: place.path)) ?? []
    return names.sorted().map { place.appendingPathComponent($0) }.filter {
      !$0.lastPathComponent.hasPrefix(".")
        && fm.fileExists(atPath: $0.appendingPathComponent("plugin.json").path)
    }
  }
}
