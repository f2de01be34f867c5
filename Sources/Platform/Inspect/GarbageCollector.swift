import Foundation
import GRDB

public enum GarbageCollectorError: Error, CustomStringConvertible {
  case runsInProgress
  public var description: String {
    "runs are in progress on this catalog; gc would race them. Try again when they have finished"
  }
}

/// `pleura gc`: removes staging files of processes that are gone and blobs no entity references.
/// It holds the maintenance lock, so no run can be between writing a blob and committing it.
public enum GarbageCollector {
  public struct Report: Codable, Sendable {
    public var dryRun: Bool
    public var stagingFiles: [String]
    public var unreferencedBlobs: [String]
    public var strayFiles: [String]
    public var bytes: Int64
  }

  public static func run(_ catalog: Catalog, dryRun: Bool) throws -> Report {
    guard let lock = try catalog.attemptMaintenanceLock() else { throw GarbageCollectorError.runsInProgress }
    defer { withExtendedLifetime(lock) {} }
    let known = Set(
      try catalog.database.read { db in
        try String.fetchAll(db, sql: "SELECT sha256 FROM blob WHERE stored = 1")
      })
    let inventory = try catalog.blobs.inventory()
    let unreferenced = inventory.blobs.filter { !known.contains($0) }
    let staging = try catalog.blobs.abandonedStagingFiles()
    // Files with names that are not blob names are reported, never removed: Pleura did not make them.
    let paths = try unreferenced.map { try catalog.blobs.url(for: $0) } + staging
    var bytes: Int64 = 0
    for path in paths {
      bytes += Int64((try? FileManager.default.attributesOfItem(atPath: path.path)[.size] as? Int) ?? 0)
      if !dryRun { try FileManager.default.removeItem(at: path) }
    }
    return Report(
      dryRun: dryRun, stagingFiles: staging.map(\.lastPathComponent), unreferencedBlobs: unreferenced,
      strayFiles: inventory.strays.map(\.path), bytes: bytes)
  }
}
