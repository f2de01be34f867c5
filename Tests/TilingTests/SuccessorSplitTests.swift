import Platform
import Testing

@testable import Tiling

/// A split that continues an earlier one keeps every earlier patient's part and deals only the
/// new patients, as a fresh split of them alone would.
@Suite struct SuccessorSplitTests {
  static func patients(_ prefix: String, _ count: Int, label: String) -> [SplitAssignmentPlan.Patient] {
    (0..<count).map { SplitAssignmentPlan.Patient(id: "\(prefix)\($0)", labels: [label]) }
  }

  @Test func earlierPatientsKeepTheirPartsAndNewOnesAreDealt() {
    let old = Self.patients("old-p", 5, label: "present") + Self.patients("old-a", 5, label: "absent")
    let new = Self.patients("new-p", 4, label: "present") + Self.patients("new-a", 4, label: "absent")
    let parameters = SplitPlugin.Parameters()
    let earlier = SplitAssignmentPlan(
      patients: old, test: parameters.test, validation: parameters.validation, seed: parameters.seed
    ).parts
    let parts = SplitPlugin.successorParts(keeping: earlier, patients: old + new, parameters)
    #expect(parts.count == old.count + new.count)
    for patient in old { #expect(parts[patient.id] == earlier[patient.id], "\(patient.id) moved") }
    let fresh = SplitAssignmentPlan(
      patients: new, test: parameters.test, validation: parameters.validation, seed: parameters.seed
    ).parts
    for patient in new { #expect(parts[patient.id] == fresh[patient.id]) }
    #expect(new.contains { parts[$0.id] == .test } && new.contains { parts[$0.id] == .train })
  }

  @Test func withoutAnEarlierSplitItIsAFreshSplit() {
    let patients = Self.patients("p", 6, label: "present") + Self.patients("a", 6, label: "absent")
    var parameters = SplitPlugin.Parameters()
    parameters.seed = 3
    #expect(
      SplitPlugin.successorParts(keeping: [:], patients: patients, parameters)
        == SplitAssignmentPlan(patients: patients, test: 0.3, validation: 0.15, seed: 3).parts)
  }

  @Test func earlierPatientsMissingFromTheNewVersionAreNotInvented() {
    let patients = Self.patients("p", 3, label: "present")
    let earlier: [String: SplitAssignment.Part] = ["p0": .test, "gone": .test]
    let parts = SplitPlugin.successorParts(keeping: earlier, patients: patients, SplitPlugin.Parameters())
    #expect(parts["gone"] == nil && parts["p0"] == .test && parts.count == 3)
  }
}
