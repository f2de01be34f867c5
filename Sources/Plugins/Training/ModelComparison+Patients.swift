import Foundation
import Platform

extension ModelComparison {
  /// The videos two evaluations of different datasets scored: in both, or in one only (a recipe
  /// can drop a video another keeps, e.g. one shorter than its window).
  public struct VideoOverlap: Codable, Sendable, Equatable {
    public var both: Int
    public var firstOnly: Int
    public var secondOnly: Int
  }

  /// Two evaluations of *different* datasets cut from the same videos (Table 5: the M-mode
  /// model's images and a 3D model's cubes), which must have scored the same patients. The cube
  /// level compares each model on its own examples with the bootstrap paired by patient
  /// (``PairedComparison/init(first:second:threshold:replicates:seed:)``); the video level pairs
  /// the videos both scored (a video's score is the mean of its examples', as in
  /// ``EvaluatePlugin``), and McNemar's test is on those videos. Differences are second minus first.
  public static func compareOnSamePatients(
    _ firstID: String, _ secondID: String, catalog: Catalog, replicates: Int, seed: Int
  ) throws -> (comparison: ModelComparison, videos: VideoOverlap) {
    let (first, second) = try catalog.database.read { db in
      (try Evaluation.find(db, key: firstID), try Evaluation.find(db, key: secondID))
    }
    let a = Array(try scores(of: first, blobs: catalog.blobs).values)
    let b = Array(try scores(of: second, blobs: catalog.blobs).values)
    let (patientsA, patientsB) = (Set(a.map(\.patient)), Set(b.map(\.patient)))
    guard patientsA == patientsB, !patientsA.isEmpty else {
      throw TrainingError.testPatientsDiffer(
        "evaluations \(first.id) and \(second.id) did not score the same patients "
          + "(\(patientsA.subtracting(patientsB).count) only in the first, "
          + "\(patientsB.subtracting(patientsA).count) only in the second); "
          + "the models must be tested on the same patients")
    }
    let threshold = (try? EvaluationReport.decode(first))?.threshold ?? 0.5
    func perPatient(_ cubes: [ScoredCube]) -> [PatientScore] {
      cubes.map { PatientScore(patient: $0.patient, positive: $0.positive, score: $0.score) }
    }
    let (videosA, videosB) = (videoScores(a), videoScores(b))
    let common = Set(videosA.keys).intersection(videosB.keys)
    guard !common.isEmpty else {
      throw TrainingError.badParameter(
        "evaluations \(first.id) and \(second.id) scored no video in common; nothing to compare at video level"
      )
    }
    let paired = common.sorted().compactMap { id -> PairedScore? in
      guard let x = videosA[id], let y = videosB[id] else { return nil }
      return PairedScore(patient: x.patient, positive: x.positive, first: x.score, second: y.score)
    }
    let comparison = ModelComparison(
      first: first.modelId, second: second.modelId, firstEvaluation: first.id, secondEvaluation: second.id,
      cube: PairedComparison(
        first: perPatient(a), second: perPatient(b), threshold: threshold, replicates: replicates, seed: seed),
      video: PairedComparison(examples: paired, threshold: threshold, replicates: replicates, seed: seed),
      videoMcNemar: McNemarTest(paired, threshold: threshold))
    return (
      comparison,
      VideoOverlap(
        both: common.count, firstOnly: videosA.count - common.count, secondOnly: videosB.count - common.count)
    )
  }

  /// Each video's patient, label and mean score.
  static func videoScores(_ cubes: [ScoredCube]) -> [String: PatientScore] {
    let byVideo = Dictionary(grouping: cubes, by: \.video)
    return byVideo.mapValues { cubes in
      PatientScore(
        patient: cubes[0].patient, positive: cubes[0].positive,
        score: cubes.map(\.score).reduce(0, +) / Double(cubes.count))
    }
  }
}
