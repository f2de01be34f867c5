import Foundation
import GRDB

/// The provenance tree of an entity: the run that made it, that run's inputs, and so on back to
/// the source files.
public struct LineageNode: Codable, Sendable {
  public struct RunInfo: Codable, Sendable {
    public var id: String
    public var plugin: String
    public var version: String
    public var parameters: String
    public var status: String
    public var site: String
    public var startedAt: String
  }

  public var kind: EntityKind
  public var id: String
  /// A short description: file name, patient code, dataset name@version, ...
  public var label: String
  public var madeBy: RunInfo?
  public var inputs: [LineageNode]
  /// True when this entity already appears higher in the tree (its subtree is not repeated).
  public var seenAbove: Bool

  public static func build(for ref: EntityRef, in catalog: Catalog) throws -> LineageNode {
    try catalog.database.read { db in
      guard try EntityLookup.exists(ref, in: db) else { throw CatalogError.unknownID(ref.id) }
      var seen: Set<String> = []
      return try node(ref, db: db, seen: &seen)
    }
  }

  static func node(_ ref: EntityRef, db: Database, seen: inout Set<String>) throws -> LineageNode {
    let label = try describe(ref, db: db)
    guard seen.insert(ref.id).inserted else {
      return LineageNode(kind: ref.kind, id: ref.id, label: label, madeBy: nil, inputs: [], seenAbove: true)
    }
    if ref.kind == .cube { return try cubeNode(ref, label: label, db: db, seen: &seen) }
    // The run that made the entity; an import run ("imported" role) only brought it here.
    guard
      let edge = try RunEdge.all().edges(.output, ofEntity: ref.id).order(Column("role")).fetchOne(db),
      let run = try Run.fetchOne(db, key: edge.runId)
    else {
      return LineageNode(kind: ref.kind, id: ref.id, label: label, madeBy: nil, inputs: [], seenAbove: false)
    }
    let site =
      try String.fetchOne(db, sql: "SELECT name FROM site WHERE id = ?", arguments: [run.siteId]) ?? "?"
    let inputEdges = try RunEdge.all().edges(.input, ofRun: run.id).fetchAll(db)
    var inputs: [LineageNode] = []
    for input in inputEdges { inputs.append(try node(input.entity, db: db, seen: &seen)) }
    let info = RunInfo(
      id: run.id, plugin: run.plugin, version: run.pluginVersion, parameters: run.parametersJson,
      status: run.status.rawValue, site: site, startedAt: run.startedAt)
    return LineageNode(
      kind: ref.kind, id: ref.id, label: label, madeBy: info, inputs: inputs, seenAbove: false)
  }

  /// Cubes have no edges of their own (a dataset has thousands): a cube was made by the run that
  /// made its dataset, from its conversion and ROI version.
  static func cubeNode(_ ref: EntityRef, label: String, db: Database, seen: inout Set<String>) throws
    -> LineageNode
  {
    guard
      let row = try Row.fetchOne(
        db, sql: "SELECT dataset_id, conversion_id, roi_id FROM cube WHERE id = ?", arguments: [ref.id])
    else { throw CatalogError.unknownID(ref.id) }
    let dataset = try node(EntityRef(.dataset, row["dataset_id"]), db: db, seen: &seen)
    let inputs = [
      dataset, try node(EntityRef(.conversion, row["conversion_id"]), db: db, seen: &seen),
      try node(EntityRef(.roi, row["roi_id"]), db: db, seen: &seen),
    ]
    return LineageNode(
      kind: .cube, id: ref.id, label: label, madeBy: dataset.madeBy, inputs: inputs, seenAbove: false)
  }

  static func describe(_ ref: EntityRef, db: Database) throws -> String {
    let sql: String? =
      switch ref.kind {
      case .sourceVideo:
        "SELECT file_name || ' (' || (SELECT label FROM current_label WHERE source_video_id = v.id) || ', patient ' || (SELECT code FROM patient WHERE id = patient_id) || ')' FROM source_video v WHERE id = ?"
      case .patient: "SELECT 'patient ' || code FROM patient WHERE id = ?"
      case .conversion:
        "SELECT width || 'x' || height || ' ' || codec || ' ' || fps_num || '/' || fps_den || ' fps' FROM conversion WHERE id = ?"
      case .dataset: "SELECT name || '@' || version FROM dataset WHERE id = ?"
      case .site: "SELECT name FROM site WHERE id = ?"
      case .model: "SELECT architecture FROM model WHERE id = ?"
      case .cube:
        "SELECT 'clip ' || clip_index || ', tile ' || tile_row || ',' || tile_col || ', ' || size || ' px, ' || label FROM cube WHERE id = ?"
      case .roi:
        "SELECT 'v' || version || ' ' || x || ',' || y || ',' || width || ',' || height || ' by ' || author FROM roi_annotation WHERE id = ?"
      case .label:
        "SELECT 'v' || version || ' ' || label || ' by ' || author || CASE adjudicated WHEN 1 THEN ' (adjudicated)' ELSE '' END FROM label_annotation WHERE id = ?"
      default: nil
      }
    guard let sql else { return ref.kind.displayName }
    return try String.fetchOne(db, sql: sql, arguments: [ref.id]) ?? ref.kind.displayName
  }

  /// The tree as indented text, one entity and the run that made it per line.
  public func rendered() -> String {
    var lines: [String] = []
    render(into: &lines, prefix: "", childPrefix: "")
    return lines.joined(separator: "\n")
  }

  private func render(into lines: inout [String], prefix: String, childPrefix: String) {
    var line = "\(prefix)\(kind.displayName) \(id)  \(label)"
    if seenAbove {
      line += "  (see above)"
    } else if let run = madeBy {
      line += "  <- \(run.plugin) \(run.version) run \(run.id) [\(run.site)]"
    }
    lines.append(line)
    for (index, input) in inputs.enumerated() {
      let last = index == inputs.count - 1
      input.render(
        into: &lines, prefix: childPrefix + (last ? "└─ " : "├─ "),
        childPrefix: childPrefix + (last ? "   " : "│  "))
    }
  }
}
