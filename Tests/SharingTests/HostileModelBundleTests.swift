import Foundation
import GRDB
import Platform
import Sharing
import TestSupport
import Testing

/// Ways a bundle's models and evaluations can be broken or forged, each with the start of the
/// message its refusal must give.
enum ModelTamper: String, CaseIterable, Sendable {
  case evaluationOfAModelNotInTheBundle, modelWhoseWeightsAreNotInTheBundle, modelWhoseWeightsDidNotTravel
  case modelOfAnotherDataset, modelOfASplitNotInTheBundle, evaluationOfAnotherDataset
  case evaluationWhoseScoresAreNotInTheBundle, modelWithABadID, modelWithHyperparametersThatAreNotJSON

  var message: String {
    switch self {
    case .evaluationOfAModelNotInTheBundle:
      "evaluation.json, row 1: modelId model_00000000deadbeef is neither in the bundle nor in this catalog"
    case .modelWhoseWeightsAreNotInTheBundle, .modelWhoseWeightsDidNotTravel:
      "model.json, row 1: weightsSha256"
    case .modelOfAnotherDataset:
      "model.json, row 1: datasetId ds_00000000000000f0 is not the bundle's dataset"
    case .modelOfASplitNotInTheBundle: "model.json, row 1: splitId split_00000000deadbeef"
    case .evaluationOfAnotherDataset:
      "evaluation.json, row 1: datasetId ds_00000000000000f0 is not the bundle's dataset"
    case .evaluationWhoseScoresAreNotInTheBundle: "evaluation.json, row 1: scoresSha256"
    case .modelWithABadID: "model.json, row 1: '../model' is not a new model id"
    case .modelWithHyperparametersThatAreNotJSON: "model.json, row 1: a JSON field is not valid JSON"
    }
  }

  func apply(to tables: inout [String: Any]) {
    var models = tables["model.json"] as! [[String: Any]]
    var evaluations = tables["evaluation.json"] as! [[String: Any]]
    switch self {
    case .evaluationOfAModelNotInTheBundle: evaluations[0]["modelId"] = "model_00000000deadbeef"
    case .modelWhoseWeightsAreNotInTheBundle: models[0]["weightsSha256"] = String(repeating: "ab", count: 32)
    case .modelWhoseWeightsDidNotTravel:
      // Listed in blob.json as known by hash only (its bytes may even lie in data/blobs).
      tables["blob.json"] = (tables["blob.json"] as! [[String: Any]]).map { blob in
        var blob = blob
        if blob["sha256"] as? String == models[0]["weightsSha256"] as? String { blob["stored"] = false }
        return blob
      }
    case .modelOfAnotherDataset: models[0]["datasetId"] = "ds_00000000000000f0"
    case .modelOfASplitNotInTheBundle: models[0]["splitId"] = "split_00000000deadbeef"
    case .evaluationOfAnotherDataset: evaluations[0]["datasetId"] = "ds_00000000000000f0"
    case .evaluationWhoseScoresAreNotInTheBundle:
      evaluations[0]["scoresSha256"] = String(repeating: "cd", count: 32)
    case .modelWithABadID: models[0]["id"] = "../model"
    case .modelWithHyperparametersThatAreNotJSON: models[0]["hyperparametersJson"] = "{\"width\": "
    }
    tables["model.json"] = models
    tables["evaluation.json"] = evaluations
  }
}

/// Broken and forged models and evaluations: each refused with a clear message, the catalog and
/// object store unchanged.
@Suite(.serialized, .tags(.slow)) struct HostileModelBundleTests {
  @Test(arguments: ModelTamper.allCases) func aTamperedModelOrEvaluationIsRefused(_ tamper: ModelTamper)
    async throws
  {
    let b = try SiteB()
    defer { b.cleanUp() }
    let tampered = b.file("\(tamper.rawValue).tar.zst")
    try Rebundle.make(from: try await TrainedSiteA.shared.bundleWithModels(), to: tampered) { tables in
      tamper.apply(to: &tables)
    }
    try HostileBundleTests.expectRefused(tampered, into: b, tamper.message)
  }

  @Test func aModelThatClaimsAnImportedModelsIDWithOtherContentIsRefused() async throws {
    let b = try SiteB()
    defer { b.cleanUp() }
    let good = try await TrainedSiteA.shared.bundleWithModels()
    _ = try BundleImporter(catalog: b.catalog).importBundle(good)
    let forged = b.file("forged.tar.zst")
    try Rebundle.make(from: good, to: forged) { tables in
      var models = tables["model.json"] as! [[String: Any]]
      models[0]["chosenEpoch"] = 7
      tables["model.json"] = models
    }
    let id = try await b.catalog.database.read { db in try String.fetchOne(db, sql: "SELECT id FROM model")! }
    try HostileBundleTests.expectRefused(
      forged, into: b, "\(id) is already in this catalog with other content; refusing the bundle")
  }
}
