import Foundation
import GRDB
import Platform

// `pleura models --lineage`: which model each was trained from (`train --init`, `retrain`), read
// from the run edges, so that imported models keep their chain.
extension ModelViews {
  /// A model and the models trained from it, recursively.
  public struct SuccessorNode: Codable, Sendable, Equatable {
    public var id: String
    public var dataset: String
    public var architecture: String
    /// Stages held at the parent's weights, for a model trained from one.
    public var freezeStages: Int?
    public var successors: [SuccessorNode]
  }

  /// The model a model was trained from: the model among the inputs of the run that made it.
  public static func parent(of modelID: String, in db: Database) throws -> String? {
    // The run that made it; an import run ("imported" role) only brought it here.
    guard
      let edge = try RunEdge.all().edges(.output, ofEntity: modelID).order(Column("role")).fetchOne(db)
    else { return nil }
    return try RunEdge.all().edges(.input, ofRun: edge.runId).fetchAll(db).first { $0.entity.kind == .model }?
      .entity.id
  }

  /// Every model as a forest: the roots are the models trained from none (or from one not in this
  /// catalog), each with its successors, oldest first.
  public static func successorForest(_ catalog: Catalog) throws -> [SuccessorNode] {
    try catalog.database.read { db in
      let names = try datasetNames(db)
      let models = try Model.order(Column("created_at"), Model.Columns.id).fetchAll(db)
      let known = Set(models.map(\.id))
      var children: [String: [Model]] = [:]
      var roots: [Model] = []
      for model in models {
        if let parent = try parent(of: model.id, in: db), known.contains(parent), parent != model.id {
          children[parent, default: []].append(model)
        } else {
          roots.append(model)
        }
      }
      var seen: Set<String> = []
      func node(_ model: Model) -> SuccessorNode {
        seen.insert(model.id)
        let setup = try? ModelSetup.decode(model)
        return SuccessorNode(
          id: model.id, dataset: names[model.datasetId] ?? model.datasetId, architecture: model.architecture,
          freezeStages: setup?.initialModel == nil ? nil : setup?.freezeStages,
          successors: (children[model.id] ?? []).filter { !seen.contains($0.id) }.map(node))
      }
      return roots.map(node)
    }
  }

  /// The forest as indented lines: each model with its dataset, its successors below it.
  public static func rendered(_ forest: [SuccessorNode]) -> String {
    var lines: [String] = []
    func render(_ node: SuccessorNode, prefix: String, childPrefix: String) {
      var line = "\(prefix)\(node.id)  \(node.architecture)  \(node.dataset)"
      if let frozen = node.freezeStages { line += "  (from its parent, \(frozen) stage(s) held)" }
      lines.append(line)
      for (index, child) in node.successors.enumerated() {
        let last = index == node.successors.count - 1
        render(
          child, prefix: childPrefix + (last ? "└─ " : "├─ "),
          childPrefix: childPrefix + (last ? "   " : "│  "))
      }
    }
    for root in forest { render(root, prefix: "", childPrefix: "") }
    return lines.joined(separator: "\n")
  }
}
