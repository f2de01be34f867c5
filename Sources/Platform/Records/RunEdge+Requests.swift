import GRDB

/// The provenance questions every part of Pleura asks, asked one way: "what did this run read
/// (or make)?" and "which runs made (or read) this entity?".
///
/// ```swift
/// let inputs = try RunEdge.all().edges(.input, ofRun: run.id).fetchAll(db).map(\.entity)
/// let makers = try RunEdge.all().edges(.output, ofEntity: video.id).fetchAll(db).map(\.runId)
/// ```
extension DerivableRequest<RunEdge> {
  /// The edges of the run `runID`: its inputs or its outputs, or both when `direction` is nil.
  public func edges(_ direction: RunEdge.Direction? = nil, ofRun runID: String) -> Self {
    filter(RunEdge.Columns.runId == runID).direction(direction)
  }

  /// The edges that touch the entity `entityID`: of the runs that made it (`.output`), read it
  /// (`.input`), or both when `direction` is nil.
  public func edges(_ direction: RunEdge.Direction? = nil, ofEntity entityID: String) -> Self {
    filter(RunEdge.Columns.entityId == entityID).direction(direction)
  }

  /// The edges of every run in `runIDs` (a provenance chain being exported, say).
  public func edges(_ direction: RunEdge.Direction? = nil, ofRuns runIDs: some Collection<String>) -> Self {
    filter(runIDs.contains(RunEdge.Columns.runId)).direction(direction)
  }

  private func direction(_ direction: RunEdge.Direction?) -> Self {
    guard let direction else { return self }
    return filter(RunEdge.Columns.direction == direction.rawValue)
  }
}
