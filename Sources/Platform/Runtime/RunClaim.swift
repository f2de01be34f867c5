import Foundation
import GRDB

/// How the runner keeps the run cache true when identical runs start at once: before a run is
/// recorded, the same write transaction looks for an identical run that succeeded (reuse it) or
/// is still running in a live process (wait for it, then reuse it). One mechanism for every
/// plugin that uses the run cache, in place of each plugin finding duplicates after the work.
enum RunClaim {
  enum Decision {
    case start
    case reuse(RunOutcome)
    case wait(Run)
  }

  /// How often a waiting run looks again; the run it waits for commits in one transaction.
  static let pollInterval: Duration = .milliseconds(200)

  /// The identical run in progress (same identity, given the very entities asked for now, as
  /// ``RunCache`` requires of a run it reuses), if its process is still alive. A `running` row
  /// whose process has died is marked interrupted here, as the reaper would on the next open, so
  /// that nobody waits for it.
  static func inProgress(cacheKey: String, inputs: [EntityRef], in db: Database) throws -> Run? {
    let running = try Run.filter(
      Run.Columns.cacheKey == cacheKey && Run.Columns.status == Run.Status.running.rawValue
    ).order(Run.Columns.startedAt).fetchAll(db)
    let asked = inputs.map(\.description).sorted()
    for run in running {
      guard let pid = run.pid, ProcessLiveness.isAlive(pid) else {
        try RunReaper.markInterrupted(run.id, in: db)
        continue
      }
      let given = try RunEdge.all().edges(.input, ofRun: run.id).fetchAll(db).map(\.entity.description)
        .sorted()
      if given == asked { return run }
    }
    return nil
  }
}
