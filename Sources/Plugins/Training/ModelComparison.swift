import Foundation
import Platform

/// Two evaluations of the same cubes by two models, compared pairwise: the metrics' differences
/// (second minus first) with paired bootstrap intervals at cube and video level, and McNemar's
/// test on the videos (a video's score is the mean of its cubes', as in ``EvaluatePlugin``).
public struct ModelComparison: Codable, Sendable, Equatable {
  public var first: String
  public var second: String
  public var firstEvaluation: String
  public var secondEvaluation: String
  public var cube: PairedComparison
  public var video: PairedComparison
  public var videoMcNemar: McNemarTest

  /// One line of an evaluation's scores CSV.
  struct ScoredCube {
    var patient: String
    var video: String
    var positive: Bool
    var score: Double
  }

  /// Compares two stored evaluations; they must have scored the same cubes of the same dataset.
  public static func compare(
    _ firstID: String, _ secondID: String, catalog: Catalog, replicates: Int, seed: Int
  ) throws -> ModelComparison {
    let (first, second) = try catalog.database.read { db in
      (try Evaluation.find(db, key: firstID), try Evaluation.find(db, key: secondID))
    }
    let a = try scores(of: first, blobs: catalog.blobs)
    let b = try scores(of: second, blobs: catalog.blobs)
    guard first.datasetId == second.datasetId, Set(a.keys) == Set(b.keys) else {
      throw TrainingError.badParameter(
        "evaluations \(first.id) and \(second.id) did not score the same cubes; compare models on one dataset part"
      )
    }
    let threshold = (try? EvaluationReport.decode(first))?.threshold ?? 0.5
    var cubes: [PairedScore] = []
    var videos: [String: (patient: String, positive: Bool, first: Double, second: Double, n: Int)] = [:]
    for id in a.keys.sorted() {
      guard let x = a[id], let y = b[id] else { continue }
      cubes.append(PairedScore(patient: x.patient, positive: x.positive, first: x.score, second: y.score))
      var video = videos[x.video] ?? (x.patient, x.positive, 0, 0, 0)
      video.first += x.score
      video.second += y.score
      video.n += 1
      videos[x.video] = video
    }
    let videoScores = videos.keys.sorted().compactMap { videos[$0] }.map {
      PairedScore(
        patient: $0.patient, positive: $0.positive, first: $0.first / Double($0.n),
        second: $0.second / Double($0.n))
    }
    return ModelComparison(
      first: first.modelId, second: second.modelId, firstEvaluation: first.id, secondEvaluation: second.id,
      cube: PairedComparison(examples: cubes, threshold: threshold, replicates: replicates, seed: seed),
      video: PairedComparison(
        examples: videoScores, threshold: threshold, replicates: replicates, seed: seed),
      videoMcNemar: McNemarTest(videoScores, threshold: threshold))
  }

  /// An evaluation's per-cube scores by cube id.
  static func scores(of evaluation: Evaluation, blobs: BlobStore) throws -> [String: ScoredCube] {
    guard let sha = evaluation.scoresSha256 else {
      throw TrainingError.badParameter("evaluation \(evaluation.id) kept no per-cube scores to compare")
    }
    let text = String(
      decoding: try blobs.read(sha, of: "the scores of evaluation \(evaluation.id)"), as: UTF8.self)
    var cubes: [String: ScoredCube] = [:]
    // cube,patient,video,clip,label,score
    for line in text.split(separator: "\n").dropFirst() {
      let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
      guard fields.count == 6, let score = Double(fields[5]) else {
        throw TrainingError.badParameter("the scores of evaluation \(evaluation.id) have a malformed line")
      }
      cubes[fields[0]] = ScoredCube(
        patient: fields[1], video: fields[2], positive: fields[4] == SlidingLabel.present.rawValue,
        score: score)
    }
    return cubes
  }
}
