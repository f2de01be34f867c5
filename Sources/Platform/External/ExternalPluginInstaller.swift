import Foundation
import Primitives

/// `pleura plugins add DIR`: copies a plugin folder into the catalog's `plugins/` folder, so that
/// the catalog carries the exact files its runs recorded (a folder elsewhere may change or
/// vanish). The copy is checked as it will be used, and appears whole or not at all.
public enum ExternalPluginInstaller {
  public static let maxFiles = 10_000
  public static let maxBytes: Int64 = 2 << 30

  public enum InstallError: Error, CustomStringConvertible {
    case notCopyable(String, reason: String)
    case reservedName(String)
    case alreadyAdded(String, folder: String)
    case io(String)

    public var description: String {
      switch self {
      case .notCopyable(let path, let reason): "\(path.escapedForMessage): \(reason)"
      case .reservedName(let name):
        "plugin name \(name) is a built-in plugin's name; rename the external plugin"
      case .alreadyAdded(let name, let folder):
        "a different plugin \(name) is already in \(folder); remove that folder first to replace it"
      case .io(let reason): reason
      }
    }
  }

  /// Adds the plugin in `source`; returns it as found in the catalog. Adding the very same files
  /// again changes nothing.
  public static func add(_ source: URL, catalogRoot: URL, reservedNames: [String]) throws -> ExternalPlugin {
    let original = try ExternalPlugin.load(folder: source, origin: "catalog")
    let name = original.manifest.name
    guard !reservedNames.contains(name) else { throw InstallError.reservedName(name) }
    let plugins = ExternalPluginFinder.catalogFolder(of: catalogRoot)
    let destination = plugins.appendingPathComponent(name)
    if FileManager.default.fileExists(atPath: destination.path) {
      let present = try? ExternalPlugin.load(folder: destination, origin: "catalog")
      guard let present, present.manifestSHA256 == original.manifestSHA256,
        present.commandSHA256 == original.commandSHA256
      else { throw InstallError.alreadyAdded(name, folder: destination.path) }
      return present
    }
    let files = try inventory(source)
    do {
      try FileManager.default.createDirectory(at: plugins, withIntermediateDirectories: true)
    } catch {
      throw InstallError.io("cannot create \(plugins.path): \(error.localizedDescription)")
    }
    let staging = plugins.appendingPathComponent(".adding-\(getpid())-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: staging) }
    do {
      try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: false)
      for (relative, isDirectory) in files {
        let target = staging.appendingPathComponent(relative)
        if isDirectory {
          try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        } else {
          try FileManager.default.copyItem(at: source.appendingPathComponent(relative), to: target)
        }
      }
    } catch {
      throw InstallError.io("cannot copy \(source.path) into \(plugins.path): \(error.localizedDescription)")
    }
    let copied = try ExternalPlugin.load(folder: staging, origin: "catalog")
    guard copied.manifestSHA256 == original.manifestSHA256, copied.commandSHA256 == original.commandSHA256
    else {
      throw InstallError.io("\(source.path) changed while it was being copied; add it again")
    }
    guard rename(staging.path, destination.path) == 0 else {
      throw InstallError.io(
        "cannot move the copy to \(destination.path): \(String(cString: strerror(errno)))")
    }
    return try ExternalPlugin.load(folder: destination, origin: "catalog")
  }

  /// Every entry under `source` (relative path, whether a folder), refusing links and special
  /// files, and folders too large to be a plugin.
  static func inventory(_ source: URL) throws -> [(String, Bool)] {
    var entries: [(String, Bool)] = []
    var total: Int64 = 0
    var pending = [""]
    while let relative = pending.popLast() {
      let folder = relative.isEmpty ? source : source.appendingPathComponent(relative)
      let names: [String]
      do {
        names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
      } catch {
        throw InstallError.notCopyable(folder.path, reason: "cannot be listed")
      }
      for name in names {
        let path = relative.isEmpty ? name : relative + "/" + name
        var info = stat()
        guard lstat(source.appendingPathComponent(path).path, &info) == 0 else {
          throw InstallError.notCopyable(source.appendingPathComponent(path).path, reason: "cannot be read")
        }
        switch info.st_mode & S_IFMT {
        case S_IFDIR:
          entries.append((path, true))
          pending.append(path)
        case S_IFREG:
          entries.append((path, false))
          total += Int64(info.st_size)
        default:
          throw InstallError.notCopyable(
            source.appendingPathComponent(path).path,
            reason: "is a symbolic link or special file; a plugin folder is copied as regular files only")
        }
        guard entries.count <= maxFiles, total <= maxBytes else {
          throw InstallError.notCopyable(
            source.path,
            reason: "holds more than \(maxFiles) files or \(maxBytes >> 30) GiB; too large to be a plugin")
        }
      }
    }
    return entries.sorted { $0.0 < $1.0 }
  }
}
