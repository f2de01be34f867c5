import Foundation
import Platform

/// A grid of (architecture, dataset) pairs to train and evaluate, read from JSON such as
/// `datasets/paper-grid.json`. Every field has a default, so `{}` is the study's grid.
public struct ExperimentGrid: Codable, Sendable, Equatable {
  public struct Row: Codable, Sendable, Equatable, Hashable {
    public var architecture: String
    public var dataset: String
    public init(architecture: String, dataset: String) {
      self.architecture = architecture
      self.dataset = dataset
    }
  }

  public struct SplitSettings: Codable, Sendable, Equatable {
    public var seed = 42
    public var test = 0.3
    public var validation = 0.15
  }

  public var name = "paper-grid"
  public var architectures = ["resnet3d-18", "resnet3d-34", "resnet3d-50"]
  /// Built-in recipe names or recipe files.
  public var datasets = ["2_30x30", "all_30x30", "2_60x60", "all_60x60", "2_90x90", "all_90x90"]
  /// Explicit pairs; empty means every architecture with every dataset.
  public var rows: [Row] = []
  public var split = SplitSettings()
  public var width = 1.0
  public var epochs = 16
  public var batchSize = 32
  public var learningRate = 0.001
  public var classWeighting = false
  public var seed = 42
  public var threads = 2
  public var part = "test"
  public var bootstrap = 1000

  public init() {}

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let d = ExperimentGrid()
    name = try c.decodeIfPresent(String.self, forKey: .name) ?? d.name
    architectures = try c.decodeIfPresent([String].self, forKey: .architectures) ?? d.architectures
    datasets = try c.decodeIfPresent([String].self, forKey: .datasets) ?? d.datasets
    rows = try c.decodeIfPresent([Row].self, forKey: .rows) ?? d.rows
    if let s = try c.decodeIfPresent([String: Double].self, forKey: .split) {
      split.seed = s["seed"].map { Int($0) } ?? split.seed
      split.test = s["test"] ?? split.test
      split.validation = s["validation"] ?? split.validation
    }
    width = try c.decodeIfPresent(Double.self, forKey: .width) ?? d.width
    epochs = try c.decodeIfPresent(Int.self, forKey: .epochs) ?? d.epochs
    batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? d.batchSize
    learningRate = try c.decodeIfPresent(Double.self, forKey: .learningRate) ?? d.learningRate
    classWeighting = try c.decodeIfPresent(Bool.self, forKey: .classWeighting) ?? d.classWeighting
    seed = try c.decodeIfPresent(Int.self, forKey: .seed) ?? d.seed
    threads = try c.decodeIfPresent(Int.self, forKey: .threads) ?? d.threads
    part = try c.decodeIfPresent(String.self, forKey: .part) ?? d.part
    bootstrap = try c.decodeIfPresent(Int.self, forKey: .bootstrap) ?? d.bootstrap
  }

  /// The pairs to run, in table order (by dataset as listed, then architecture).
  public var pairs: [Row] {
    if !rows.isEmpty { return rows }
    return datasets.flatMap { dataset in architectures.map { Row(architecture: $0, dataset: dataset) } }
  }

  /// Reads a grid file, or one compiled into Pleura by name (`paper-grid`).
  public static func load(_ reference: String) throws -> ExperimentGrid {
    let data: Data
    if FileManager.default.fileExists(atPath: reference) {
      guard let contents = FileManager.default.contents(atPath: reference) else {
        throw TrainingError.badParameter("cannot read \(reference)")
      }
      data = contents
    } else if let embedded = EmbeddedResources.datasetRecipes.first(where: {
      $0.name == reference + ".json" || $0.name == URL(fileURLWithPath: reference).lastPathComponent
    }) {
      data = Data(embedded.text.utf8)
    } else {
      throw TrainingError.badParameter("no grid file \(reference)")
    }
    do {
      return try JSONDecoder().decode(ExperimentGrid.self, from: data)
    } catch {
      throw TrainingError.badParameter("\(reference) is not a grid: \(error)")
    }
  }

  /// Parses `ARCH:DATASET` pairs (`18:all_30x30` works too).
  public static func parseRows(_ text: String) -> [Row] {
    text.split(separator: ",").compactMap { pair in
      let parts = pair.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
      guard parts.count == 2 else { return nil }
      let digits = parts[0].filter(\.isNumber)
      return Row(architecture: digits.isEmpty ? parts[0] : "resnet3d-\(digits)", dataset: parts[1])
    }
  }
}
