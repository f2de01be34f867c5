import Foundation

/// The study's Table 5: the best 3D model of each cube size next to the M-mode baseline (a 2D
/// ResNet-18 on M-mode images) on the same test patients, at cube (image) and video level, with
/// the study's reference row for the baseline. Beyond the study, each 3D model's difference from
/// the M-mode model (3D minus M-mode) with a 95 % interval from a bootstrap paired by patient, and
/// McNemar's test on the videos both scored.
public struct Table5: Codable, Sendable, Equatable {
  /// A figure the study quotes rather than one Pleura measured.
  public struct Reference: Codable, Sendable, Equatable {
    public var source: String
    public var accuracy: Double
    public var sensitivity: Double
    public var specificity: Double
  }

  /// One cube size: its best 3D model and how it compares with the M-mode model.
  public struct Entry: Codable, Sendable, Equatable {
    /// The tile side in pixels (30, 60, 90 in the study).
    public var cubeSize: Int
    public var row: ExperimentRow
    /// First the M-mode model, second the 3D model: differences are 3D minus M-mode.
    public var comparison: ModelComparison
    public var videos: ModelComparison.VideoOverlap
  }

  /// The M-mode baseline as the study quotes it (Jaščur et al. 2021).
  public static let reference = Reference(
    source: "Jaščur et al. 2021 (reported): M-mode images, ResNet-18, 64-frame windows",
    accuracy: 0.89, sensitivity: 0.82, specificity: 0.92)

  /// How a cube size's model is chosen, as the study's "best results" are read off its Table 4.
  public static let selectionRule =
    "per cube size, the grid row with the highest cube accuracy on the evaluated part "
    + "(ties: F1, then AUC, then the earlier row)"

  public var selection = Table5.selectionRule
  public var reference = Table5.reference
  /// The part every model was scored on (the test part).
  public var part: String
  /// The patients of that part, the same for every model.
  public var patients: Int
  public var mmode: ExperimentRow
  public var entries: [Entry]

  /// The chosen row of each cube size, smallest first (``selectionRule``).
  public static func best(_ rows: [(row: ExperimentRow, cubeSize: Int)]) -> [(
    row: ExperimentRow, cubeSize: Int
  )] {
    var chosen: [Int: (index: Int, row: ExperimentRow)] = [:]
    for (index, candidate) in rows.enumerated() {
      guard let held = chosen[candidate.cubeSize] else {
        chosen[candidate.cubeSize] = (index, candidate.row)
        continue
      }
      if ranks(candidate.row.cube, above: held.row.cube) {
        chosen[candidate.cubeSize] = (index, candidate.row)
      }
    }
    return chosen.keys.sorted().compactMap { size in chosen[size].map { (row: $0.row, cubeSize: size) } }
  }

  /// Whether `a` beats `b`: accuracy, then F1, then AUC; a missing metric loses to any value and
  /// a full tie keeps the earlier row.
  static func ranks(_ a: BinaryMetrics, above b: BinaryMetrics) -> Bool {
    for (x, y) in [(a.accuracy, b.accuracy), (a.f1, b.f1), (a.auc, b.auc)] {
      let (x, y) = (x ?? -.infinity, y ?? -.infinity)
      if x != y { return x > y }
    }
    return false
  }
}
