import Foundation
import GRDB
import Platform

public enum SplitError: Error, CustomStringConvertible {
  case badFractions(test: Double, validation: Double)
  case needsOneDataset
  case tooFewPatients(dataset: String, patients: Int)

  public var description: String {
    switch self {
    case .badFractions(let test, let validation):
      "fractions test \(test) and validation \(validation) must each be in 0...1 and leave patients for training"
    case .needsOneDataset: "give exactly one dataset"
    case .tooFewPatients(let dataset, let patients):
      "\(dataset) has \(patients) patient(s); a patient-wise split needs at least 2"
    }
  }
}

/// `split`: assigns a dataset's patients to train, validation and test, stratified by label and
/// seeded, so that no patient's cubes fall in two parts. A patient with videos of both labels
/// counts in both strata; ``SplitAssignmentPlan`` says how.
public struct SplitPlugin: Plugin {
  public struct Parameters: PluginParameters {
    public var seed = 42
    /// Share of each label's patients put in the test part (the study: 0.3).
    public var test = 0.3
    /// Share of each label's patients put in the validation part (used to pick the epoch).
    public var validation = 0.15
    public init() {}
  }

  public static let name = "split"
  /// 1.1.0: a patient with both labels counts in both strata (1.0.0 put it in its majority
  /// label's); datasets without such patients split exactly as before.
  public static let version = SemanticVersion(1, 1, 0)
  public static let summary =
    "Split a dataset's patients into train/validation/test, stratified by label, seeded."
  /// A split among the inputs is an earlier split to continue (``SplitPlugin/successorParts``):
  /// its patients keep their parts, so a successor model is tested on patients neither saw.
  public static let takes: [EntityKind] = [.dataset, .split]
  public static let makes: [EntityKind] = [.split]
  public static let parameterHelp = [
    "seed": "seed of the shuffle", "test": "share of each label's patients in test",
    "validation": "share of each label's patients in validation",
  ]

  /// A seeded assignment of the dataset's patients.
  public static let reproducible = true

  public init() {}

  public static func check(_ parameters: Parameters, inputs: [EntityRef], catalog: Catalog) async throws {
    guard (0...1).contains(parameters.test), (0...1).contains(parameters.validation),
      parameters.test + parameters.validation < 1
    else { throw SplitError.badFractions(test: parameters.test, validation: parameters.validation) }
    guard let (datasetID, _) = datasetAndEarlier(inputs) else { throw SplitError.needsOneDataset }
    let (reference, patients) = try await catalog.database.read { db in
      (
        try Dataset.fetchOne(db, key: datasetID)?.reference ?? datasetID,
        try Int.fetchOne(
          db, sql: "SELECT count(DISTINCT patient_id) FROM cube WHERE dataset_id = ?",
          arguments: [datasetID]) ?? 0
      )
    }
    guard patients >= 2 else { throw SplitError.tooFewPatients(dataset: reference, patients: patients) }
  }

  public func run(_ parameters: Parameters, inputs: [EntityRef], context: PluginContext) async throws
    -> PluginOutput
  {
    guard let (datasetID, earlierID) = Self.datasetAndEarlier(inputs) else {
      throw SplitError.needsOneDataset
    }
    let (dataset, patients, earlier) = try await context.catalog.database.read { db in
      let dataset = try Dataset.find(db, key: datasetID)
      // A patient's labels are those of its videos in this dataset, so those of its cubes.
      let rows = try Row.fetchAll(
        db,
        sql: """
          SELECT DISTINCT cube.patient_id, patient.code, cube.label FROM cube
          JOIN patient ON patient.id = cube.patient_id WHERE cube.dataset_id = ?
          """, arguments: [datasetID])
      var patients: [String: SplitAssignmentPlan.Patient] = [:]
      for row in rows {
        let id: String = row["patient_id"]
        patients[id, default: .init(id: id, order: row["code"], labels: [])].labels.insert(row["label"])
      }
      return (dataset, Array(patients.values), try earlierID.map { try Self.parts(ofSplit: $0, in: db) })
    }
    let assignment = Self.successorParts(keeping: earlier ?? [:], patients: patients, parameters)
    let mixed = patients.filter { $0.labels.count > 1 }.count
    let parametersJSON = try CanonicalJSON.encode(parameters)
    return PluginOutput(summary: "") { db, run in
      let split = Split(
        id: EntityKind.split.newID(), siteId: run.siteID, datasetId: datasetID, seed: parameters.seed,
        parametersJson: parametersJSON, createdAt: run.now)
      try split.insert(db)
      for (patient, part) in assignment.sorted(by: { $0.key < $1.key }) {
        try SplitAssignment(splitId: split.id, patientId: patient, part: part).insert(db)
      }
      let counts = SplitAssignment.Part.allCases.map { part in
        "\(part.rawValue) \(assignment.values.filter { $0 == part }.count)"
      }
      run.note(
        "\(split.id) of \(dataset.reference): patients \(counts.joined(separator: ", ")) (seed \(parameters.seed))"
          + (mixed > 0 ? "; \(mixed) with both labels, each kept whole and counted in both strata" : "")
          + Self.keptNote(earlierID, earlier: earlier ?? [:], assignment: assignment))
      return [EntityRef(.split, split.id)]
    }
  }
}
