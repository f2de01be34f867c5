import Foundation
import GRDB

/// Describes input entities for a request: each row as JSON, and read-only paths of the blobs
/// that hold its bytes (a dataset's shards, a model's weights). Only entities whose bytes are in
/// this catalog's store can be described.
enum ExternalInputs {
  static func describe(_ refs: [EntityRef], blobs: BlobStore, in db: Database) throws -> [ExternalInput] {
    try refs.map { try describe($0, blobs: blobs, in: db) }
  }

  static func describe(_ ref: EntityRef, blobs: BlobStore, in db: Database) throws -> ExternalInput {
    func path(_ sha256: String) throws -> String {
      guard blobs.contains(sha256) else { throw ExternalInputError.bytesNotHere(ref.id, sha256: sha256) }
      return try blobs.url(for: sha256).path
    }
    switch ref.kind {
    case .dataset:
      let dataset = try Dataset.find(db, key: ref.id)
      let cubes = try Cube.filter(Cube.Columns.datasetId == ref.id).order(Column("id")).fetchAll(db)
      var shards: [String: String] = [:]
      let described = try cubes.map { cube in
        if shards[cube.shardSha256] == nil { shards[cube.shardSha256] = try path(cube.shardSha256) }
        return ExternalCube(
          id: cube.id, patient: cube.patientId, conversion: cube.conversionId, clip: cube.clipIndex,
          label: cube.label.rawValue, frames: cube.frames, size: cube.size,
          shard: shards[cube.shardSha256] ?? "",
          index: cube.shardIndex)
      }
      return ExternalInput(kind: .dataset, id: ref.id, record: try json(dataset), cubes: described)
    case .split:
      let split = try Split.find(db, key: ref.id)
      let assignments = try SplitAssignment.filter(SplitAssignment.Columns.splitId == ref.id)
        .order(Column("patient_id")).fetchAll(db)
        .map { ExternalAssignment(patient: $0.patientId, part: $0.part.rawValue) }
      return ExternalInput(kind: .split, id: ref.id, record: try json(split), assignments: assignments)
    case .model:
      let model = try Model.find(db, key: ref.id)
      return ExternalInput(
        kind: .model, id: ref.id, record: try json(model), files: ["weights": try path(model.weightsSha256)])
    case .conversion:
      let conversion = try Conversion.find(db, key: ref.id)
      let video = try SourceVideo.find(db, key: conversion.sourceVideoId)
      return ExternalInput(
        kind: .conversion, id: ref.id,
        record: try withPatientCode(json(conversion), of: video.patientId, in: db),
        files: ["video": try path(conversion.blobSha256)])
    case .evaluation:
      let evaluation = try Evaluation.find(db, key: ref.id)
      return ExternalInput(
        kind: .evaluation, id: ref.id, record: try json(evaluation),
        files: try evaluation.scoresSha256.map { ["scores": try path($0)] } ?? [:])
    case .sourceVideo:
      var video = try SourceVideo.find(db, key: ref.id)
      // Free-text notes may name a person: they never leave the catalog.
      video.notes = nil
      return ExternalInput(
        kind: .sourceVideo, id: ref.id, record: try withPatientCode(json(video), of: video.patientId, in: db),
        files: ["video": try path(video.blobSha256)])
    case .roi:
      return ExternalInput(kind: .roi, id: ref.id, record: try json(try RoiAnnotation.find(db, key: ref.id)))
    case .label:
      return ExternalInput(
        kind: .label, id: ref.id, record: try json(try LabelAnnotation.find(db, key: ref.id)))
    default:
      throw ExternalInputError.kindNotDescribed(ref)
    }
  }

  /// A video's or conversion's record with its patient's code (a pseudonym) as `patientCode`:
  /// the cubes of a dataset a plugin makes name their patient by code, as a built dataset's do.
  static func withPatientCode(_ record: AnyJSON, of patientID: String, in db: Database) throws -> AnyJSON {
    guard var object = record.objectValue,
      let code = try String.fetchOne(db, sql: "SELECT code FROM patient WHERE id = ?", arguments: [patientID])
    else { return record }
    object["patientCode"] = .string(code)
    return .object(object)
  }

  /// A record's fields as JSON, with the keys bundles use (camelCase).
  static func json<T: Encodable>(_ record: T) throws -> AnyJSON {
    try JSONDecoder().decode(AnyJSON.self, from: JSONEncoder().encode(record))
  }
}

enum ExternalInputError: Error, CustomStringConvertible {
  case bytesNotHere(String, sha256: String)
  case kindNotDescribed(EntityRef)

  var description: String {
    switch self {
    case .bytesNotHere(let id, let sha256):
      "the bytes of \(id) (blob \(sha256)) are not in this catalog's store (imported without them?)"
    case .kindNotDescribed(let ref): "an external plugin cannot take \(ref.kind.withArticle) (\(ref.id))"
    }
  }
}
