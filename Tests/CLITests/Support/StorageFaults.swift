import Foundation
import TestSupport

/// Read-only folders and full disks for tests. As root (where permissions do not stop writes) a
/// folder is made read-only by a read-only bind mount of itself, and a full disk is a small
/// tmpfs; as another user a folder is made read-only by its permissions, and a full disk needs
/// root (the tests that need one are skipped, saying so).
enum StorageFaults {
  static var isRoot: Bool { getuid() == 0 }

  /// Whether this process can make read-only folders (bind mounts as root, permissions otherwise).
  static let canMakeReadOnly: Bool = {
    guard isRoot else { return true }
    let probe = FileManager.default.temporaryDirectory.appendingPathComponent("pleura-ro-probe-\(UUID())")
    defer { try? FileManager.default.removeItem(at: probe) }
    guard (try? FileManager.default.createDirectory(at: probe, withIntermediateDirectories: true)) != nil,
      let undo = try? readOnly(probe)
    else { return false }
    undo()
    return true
  }()

  /// Whether this process can mount a small tmpfs (root with the right to mount).
  static let canMountTmpfs: Bool = {
    guard isRoot else { return false }
    let probe = FileManager.default.temporaryDirectory.appendingPathComponent("pleura-tmpfs-probe-\(UUID())")
    defer { try? FileManager.default.removeItem(at: probe) }
    guard (try? FileManager.default.createDirectory(at: probe, withIntermediateDirectories: true)) != nil,
      (try? run("/bin/mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", probe.path])) != nil
    else { return false }
    _ = try? run("/bin/umount", [probe.path])
    return true
  }()

  /// Makes `folder` read-only; returns what undoes it.
  static func readOnly(_ folder: URL) throws -> () -> Void {
    if isRoot {
      try run("/bin/mount", ["--bind", folder.path, folder.path])
      do {
        try run("/bin/mount", ["-o", "remount,bind,ro", folder.path])
      } catch {
        _ = try? run("/bin/umount", [folder.path])
        throw error
      }
      return { _ = try? run("/bin/umount", [folder.path]) }
    }
    try run("/bin/chmod", ["-R", "a-w", folder.path])
    return { _ = try? run("/bin/chmod", ["-R", "u+w", folder.path]) }
  }

  /// Mounts a tmpfs of `megabytes` on a new folder; returns it and what unmounts and removes it.
  static func smallDisk(megabytes: Int) throws -> (URL, () -> Void) {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pleura-small-disk-\(UUID())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    try run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(megabytes)m", "tmpfs", folder.path])
    return (
      folder,
      {
        _ = try? run("/bin/umount", [folder.path])
        try? FileManager.default.removeItem(at: folder)
      }
    )
  }

  /// Fills the file system holding `folder` with one file until no byte is left; returns it.
  static func fill(_ folder: URL) throws -> URL {
    let filler = folder.appendingPathComponent("filler")
    // dd stops (and fails) when the disk is full, which is the point; small blocks fill the rest.
    _ = try? run("/bin/dd", ["if=/dev/zero", "of=\(filler.path)", "bs=64k"])
    _ = try? run("/bin/dd", ["if=/dev/zero", "of=\(filler.path)", "bs=512", "oflag=append", "conv=notrunc"])
    return filler
  }

  @discardableResult
  static func run(_ tool: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: tool)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw FixtureError("\(tool) \(arguments.joined(separator: " ")): \(output)")
    }
    return output
  }
}
