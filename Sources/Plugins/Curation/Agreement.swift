import Foundation
import GRDB
import Platform

/// How well each pair of annotators agree: Cohen's kappa on the labels of the videos both
/// labelled, and the mean IoU of the ROIs of the videos both marked. Each annotator's latest
/// version of a video counts; adjudicated versions (a reviewer's decision, not an independent
/// reading) do not.
public enum Agreement {
  public struct Pair: Codable, Sendable, Equatable {
    public var annotatorA: String
    public var annotatorB: String
    /// Videos both labelled, and on how many of them the labels were the same.
    public var labelVideos: Int
    public var labelsAgreeing: Int
    /// Cohen's kappa over present / absent / unknown; nil with no videos or when chance
    /// agreement is already total (both gave one and the same label to everything).
    public var kappa: Double?
    /// Videos both gave an ROI, and the mean intersection over union of those ROIs.
    public var roiVideos: Int
    public var meanIoU: Double?
  }

  public static func pairs(in db: Database) throws -> [Pair] {
    pairs(of: try AnnotationHistory.read(in: db))
  }

  public static func pairs(of history: AnnotationHistory) -> [Pair] {
    let labels = history.latestLabelPerAuthor()
    let rois = history.latestRoiPerAuthor()
    var authors: Set<String> = []
    for byAuthor in labels.values { authors.formUnion(byAuthor.keys) }
    for byAuthor in rois.values { authors.formUnion(byAuthor.keys) }
    let sorted = authors.sorted()
    var result: [Pair] = []
    for (i, a) in sorted.enumerated() {
      for b in sorted[(i + 1)...] {
        var labelPairs: [(SlidingLabel, SlidingLabel)] = []
        for byAuthor in labels.values {
          if let x = byAuthor[a], let y = byAuthor[b] { labelPairs.append((x.label, y.label)) }
        }
        var ious: [Double] = []
        for byAuthor in rois.values {
          if let x = byAuthor[a], let y = byAuthor[b] { ious.append(x.sourceRect.iou(y.sourceRect)) }
        }
        guard !labelPairs.isEmpty || !ious.isEmpty else { continue }
        result.append(
          Pair(
            annotatorA: a, annotatorB: b, labelVideos: labelPairs.count,
            labelsAgreeing: labelPairs.filter { $0.0 == $0.1 }.count, kappa: cohenKappa(labelPairs),
            roiVideos: ious.count, meanIoU: ious.isEmpty ? nil : ious.reduce(0, +) / Double(ious.count)))
      }
    }
    return result
  }

  /// Cohen's kappa: (observed agreement - chance agreement) / (1 - chance agreement), chance from
  /// each rater's own label frequencies.
  public static func cohenKappa(_ pairs: [(SlidingLabel, SlidingLabel)]) -> Double? {
    guard !pairs.isEmpty else { return nil }
    let n = Double(pairs.count)
    let observed = Double(pairs.filter { $0.0 == $0.1 }.count) / n
    var chance = 0.0
    for label in SlidingLabel.allCases {
      let a = Double(pairs.filter { $0.0 == label }.count) / n
      let b = Double(pairs.filter { $0.1 == label }.count) / n
      chance += a * b
    }
    guard chance < 1 else { return nil }
    return (observed - chance) / (1 - chance)
  }
}
