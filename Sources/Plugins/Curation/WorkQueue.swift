import GRDB
import Platform

/// "Next video needing work": the first video after the given one, in the collection's default
/// order (patient, then when added) and wrapping around, whose ROI is not confirmed, whose label
/// is missing or unknown, or whose annotators disagree, as its viewer sees it.
public enum WorkQueue {
  public static func next(after videoID: String?, perspective: Perspective, in db: Database) throws -> String?
  {
    var query = CollectionQuery()
    query.needsWork = true
    let needing = Set(try query.matchingIDs(perspective, in: db))
    let order = try CollectionQuery.orderedIDs(in: db)
    let start = videoID.flatMap { order.firstIndex(of: $0) }.map { $0 + 1 } ?? 0
    for offset in 0..<order.count {
      let id = order[(start + offset) % order.count]
      if needing.contains(id), id != videoID { return id }
    }
    return nil
  }
}
