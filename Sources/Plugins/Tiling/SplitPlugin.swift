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
/// seeded, so that no patient's cubes fall in two parts.
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
  public static let version = SemanticVersion(1, 0, 0)
  public static let summary =
    "Split a dataset's patients into train/validation/test, stratified by label, seeded."
  public static let takes: [EntityKind] = [.dataset]
  public static let makes: [EntityKind] = [.split]
  public static let parameterHelp = [
    "seed": "seed of the shuffle", "test": "share of each label's patients in test",
    "validation": "share of each label's patients in validation",
  ]

  public init() {}

  public static func check(_ parameters: Parameters, inputs: [EntityRef], catalog: Catalog) async throws {
    guard (0...1).contains(parameters.test), (0...1).contains(parameters.validation),
      parameters.test + parameters.validation < 1
    else { throw SplitError.badFractions(test: parameters.test, validation: parameters.validation) }
    guard inputs.count == 1, inputs[0].kind == .dataset else { throw SplitError.needsOneDataset }
    let (reference, patients) = try await catalog.database.read { db in
      (
        try Dataset.fetchOne(db, key: inputs[0].id)?.reference ?? inputs[0].id,
        try Int.fetchOne(
          db, sql: "SELECT count(DISTINCT patient_id) FROM cube WHERE dataset_id = ?",
          arguments: [inputs[0].id]) ?? 0
      )
    }
    guard patients >= 2 else { throw SplitError.tooFewPatients(dataset: reference, patients: patients) }
  }

  public func run(_ parameters: Parameters, inputs: [EntityRef], context: PluginContext) async throws
    -> PluginOutput
  {
    let datasetID = inputs[0].id
    let (dataset, patients) = try await context.catalog.database.read { db in
      let dataset = try Dataset.fetchOne(db, key: datasetID)!
      // Each patient's label is the label of most of its cubes.
      let rows = try Row.fetchAll(
        db,
        sql: """
          SELECT cube.patient_id, patient.code, cube.label, count(*) AS n FROM cube
          JOIN patient ON patient.id = cube.patient_id WHERE cube.dataset_id = ?
          GROUP BY cube.patient_id, cube.label ORDER BY cube.patient_id, n DESC, cube.label
          """, arguments: [datasetID])
      var labels: [String: String] = [:]
      var codes: [String: String] = [:]
      for row in rows where labels[row["patient_id"]] == nil {
        labels[row["patient_id"]] = row["label"]
        codes[row["patient_id"]] = row["code"]
      }
      return (dataset, (labels, codes))
    }
    let assignment = Self.assign(patients: patients.0, parameters: parameters, order: patients.1)
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
      )
      return [EntityRef(.split, split.id)]
    }
  }

  /// Per label: shuffle its patients with the seed, then deal test, validation, train. Each part
  /// gets at least one patient of a label when the label has enough of them.
  /// `order` gives each patient's sort key before the shuffle (its code, so that the same seed
  /// splits the same collection the same way in every catalog, whatever ids it was given).
  public static func assign(
    patients: [String: String], parameters: Parameters, order: [String: String] = [:]
  ) -> [String: SplitAssignment.Part] {
    var generator = SeededGenerator(seed: UInt64(bitPattern: Int64(parameters.seed)))
    var result: [String: SplitAssignment.Part] = [:]
    for label in Set(patients.values).sorted() {
      var group = patients.filter { $0.value == label }.map(\.key)
        .sorted { (order[$0] ?? $0, $0) < (order[$1] ?? $1, $1) }
      group.shuffle(using: &generator)
      let n = group.count
      var testCount = Int((Double(n) * parameters.test).rounded())
      var validationCount = Int((Double(n) * parameters.validation).rounded())
      if n >= 3 {
        if parameters.test > 0 { testCount = max(1, testCount) }
        if parameters.validation > 0 { validationCount = max(1, validationCount) }
      } else if n == 2, parameters.test > 0 {
        (testCount, validationCount) = (1, 0)
      }
      while testCount + validationCount >= n, n > 1 {
        if validationCount > 0 { validationCount -= 1 } else { testCount -= 1 }
      }
      for (index, patient) in group.enumerated() {
        result[patient] =
          index < testCount ? .test : index < testCount + validationCount ? .validation : .train
      }
    }
    return result
  }
}
