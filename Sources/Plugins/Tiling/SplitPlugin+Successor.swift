import GRDB
import Platform

// A split that continues an earlier one (`pleura retrain`): a new version of a dataset keeps the
// patients the earlier split had in the part it had them in, and only the patients it did not
// have are dealt out. The successor model then trains on none of the earlier test patients, the
// earlier model was trained on none of the new test patients, and both can be tested on the same
// patients: the new split's test part.
extension SplitPlugin {
  /// The dataset to split and the earlier split to continue, if one is given.
  static func datasetAndEarlier(_ inputs: [EntityRef]) -> (dataset: String, earlier: String?)? {
    let datasets = inputs.filter { $0.kind == .dataset }
    let splits = inputs.filter { $0.kind == .split }
    guard datasets.count == 1, splits.count <= 1, inputs.count == datasets.count + splits.count else {
      return nil
    }
    return (datasets[0].id, splits.first?.id)
  }

  /// Each patient's part in a split.
  public static func parts(ofSplit split: String, in db: Database) throws -> [String: SplitAssignment.Part] {
    let rows = try SplitAssignment.filter(Column("split_id") == split).fetchAll(db)
    return Dictionary(rows.map { ($0.patientId, $0.part) }, uniquingKeysWith: { first, _ in first })
  }

  /// The part of every patient: `earlier`'s where it has one, else dealt by
  /// ``SplitAssignmentPlan`` among the patients it does not know, with the same fractions and seed
  /// (so with no earlier split this is exactly a fresh split).
  public static func successorParts(
    keeping earlier: [String: SplitAssignment.Part], patients: [SplitAssignmentPlan.Patient],
    _ parameters: Parameters
  ) -> [String: SplitAssignment.Part] {
    let new = patients.filter { earlier[$0.id] == nil }
    var parts =
      SplitAssignmentPlan(
        patients: new, test: parameters.test, validation: parameters.validation, seed: parameters.seed
      ).parts
    for patient in patients {
      if let part = earlier[patient.id] { parts[patient.id] = part }
    }
    return parts
  }

  /// The end of the run's note for a continued split: how many patients kept their part.
  static func keptNote(
    _ earlierID: String?, earlier: [String: SplitAssignment.Part], assignment: [String: SplitAssignment.Part]
  ) -> String {
    guard let earlierID else { return "" }
    let kept = assignment.keys.filter { earlier[$0] != nil }.count
    return "; \(kept) patient(s) kept their part of \(earlierID), \(assignment.count - kept) new"
  }
}
