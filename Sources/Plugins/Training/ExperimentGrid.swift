import Foundation
import Platform
import Tiling

/// A grid of (architecture, dataset) pairs to train and evaluate, read from JSON such as
/// `datasets/paper-grid.json`. Every field has a default, so `{}` is the study's grid.
///
/// The settings are the plugins' own parameter types, not copies of them: the file's `split`
/// object holds split parameters, and its other keys are read as the train and evaluate
/// parameters of the same names (`width`, `epochs`, `part`, `bootstrap`, ...; a name both have,
/// such as `seed` or `threads`, sets both). `mmode` names an M-mode recipe (`datasets/paper-grid.json`
/// has `mmode_64`): the grid then also trains the study's M-mode baseline, a 2D ResNet-18, on the
/// same test patients and makes the study's Table 5 (see ``Table5``); without it there is no
/// M-mode row.
public struct ExperimentGrid: Sendable, Equatable {
  public struct Row: Codable, Sendable, Equatable, Hashable {
    public var architecture: String
    public var dataset: String
    public init(architecture: String, dataset: String) {
      self.architecture = architecture
      self.dataset = dataset
    }
  }

  public var name = "paper-grid"
  public var architectures = ["resnet3d-18", "resnet3d-34", "resnet3d-50"]
  /// Built-in recipe names or recipe files.
  public var datasets = ["2_30x30", "all_30x30", "2_60x60", "all_60x60", "2_90x90", "all_90x90"]
  /// Explicit pairs; empty means every architecture with every dataset.
  public var rows: [Row] = []
  /// The M-mode recipe of Table 5's baseline row (a built-in name or a file); empty for none.
  public var mmode = ""
  /// The baseline's network: the study's M-mode ResNet-18.
  public static let mmodeArchitecture = "resnet-18"
  /// How each dataset is split by patient.
  public var split = SplitPlugin.Parameters()
  /// How every pair trains (its architecture comes from the pair).
  public var train = ExperimentGrid.studyTraining
  /// How every model is scored.
  public var evaluate = EvaluatePlugin.Parameters()

  /// The train plugin's defaults at the study's full width (the plugin's own default is narrow).
  public static var studyTraining: TrainPlugin.Parameters {
    var parameters = TrainPlugin.Parameters()
    parameters.width = 1
    return parameters
  }

  public init() {}

  /// Reads a grid from its JSON text.
  public init(json data: Data) throws {
    guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
      throw TrainingError.badParameter("a grid is a JSON object")
    }
    func value<T>(_ key: String, _ fallback: T) throws -> T {
      guard let found = object[key] else { return fallback }
      guard let typed = found as? T else { throw TrainingError.badParameter("\(key) has the wrong type") }
      return typed
    }
    name = try value("name", name)
    architectures = try value("architectures", architectures)
    datasets = try value("datasets", datasets)
    mmode = try value("mmode", mmode)
    if let rows = object["rows"] {
      let pairs = try JSONSerialization.data(withJSONObject: rows)
      self.rows = try JSONDecoder().decode([Row].self, from: pairs)
    }
    split = try ParameterSchema.overlay(try value("split", [:]), on: split, as: SplitPlugin.self)
    train = try ParameterSchema.overlay(object, on: train, as: TrainPlugin.self)
    evaluate = try ParameterSchema.overlay(object, on: evaluate, as: EvaluatePlugin.self)
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
      return try ExperimentGrid(json: data)
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
