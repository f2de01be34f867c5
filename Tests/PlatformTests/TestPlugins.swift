import Foundation
import GRDB
import Platform

/// Creates a patient whose code is its parameter; writes a blob first when asked.
struct MakePatientPlugin: Plugin {
  struct Parameters: PluginParameters {
    var code = "P1"
    var blobText = ""
    var fail = false
    var refuse = false
  }
  static let name = "make-patient"
  static let version = SemanticVersion(1, 2, 0)
  static let summary = "Test plugin: makes one patient."
  static let takes: [EntityKind] = [.patient]
  static let makes: [EntityKind] = [.patient]
  static let parameterHelp = ["code": "the patient code"]

  static func check(_ parameters: Parameters, inputs: [EntityRef], catalog: Catalog) async throws {
    if parameters.refuse { throw TestFailure(message: "refused before the run") }
  }

  func run(_ parameters: Parameters, inputs: [EntityRef], context: PluginContext) async throws -> PluginOutput
  {
    if !parameters.blobText.isEmpty { _ = try context.blobs.store(data: Data(parameters.blobText.utf8)) }
    if parameters.fail { throw TestFailure(message: "the plugin failed on purpose") }
    return PluginOutput(summary: "made \(parameters.code)") { db, run in
      let (patient, _) = try Patient.findOrCreate(code: parameters.code, siteID: run.siteID, in: db)
      return [EntityRef(.patient, patient.id)]
    }
  }
}

/// Fails inside its own transaction, after writing a row: the row must not survive.
struct FailInPersistPlugin: Plugin {
  struct Parameters: PluginParameters {}
  static let name = "fail-in-persist"
  static let version = SemanticVersion(1, 0, 0)
  static let summary = "Test plugin: fails while writing."
  static let takes: [EntityKind] = []
  static let makes: [EntityKind] = [.patient]

  func run(_ parameters: Parameters, inputs: [EntityRef], context: PluginContext) async throws -> PluginOutput
  {
    PluginOutput(summary: "") { db, run in
      _ = try Patient.findOrCreate(code: "half-written", siteID: run.siteID, in: db)
      throw TestFailure(message: "failed after writing a row")
    }
  }
}

struct TestFailure: Error, CustomStringConvertible {
  var message: String
  var description: String { message }
}
