/// Why training, evaluation or explanation refused to start or stopped, one sentence each.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
  case needsDatasetAndSplit(plugin: String)
  case splitOfAnotherDataset(split: String, belongsTo: String, dataset: String)
  case emptyPart(split: String, part: String)
  case badParameter(String)
  /// A parameter outside its range: the command line's fault (exit 2), unlike the other cases.
  case outOfRange(String)
  case badShard(String, String)
  case needsModelAndDataset(plugin: String)
  case partNeedsTheModelsSplit(part: String, dataset: String, model: String)
  case noCheckpoint(run: String)
  case resumeMismatch(run: String, reason: String)
  case stoppedAfterEpoch(Int)
  case unknownCube(String)
  case cubeShapeMismatch(dataset: String, model: String)
  case initMismatch(model: String, reason: String)
  case nothingToCompare(model: String, dataset: String)
  /// Two models Table 5 puts side by side would not be tested on the same patients.
  case testPatientsDiffer(String)

  /// The first count below its minimum, named with its value: "epochs 0 must be at least 1".
  static func checkMinimums(_ counts: KeyValuePairs<String, (value: Int, minimum: Int)>) throws {
    for (name, count) in counts where count.value < count.minimum {
      throw TrainingError.outOfRange("\(name) \(count.value) must be at least \(count.minimum)")
    }
  }

  public var description: String {
    switch self {
    case .needsDatasetAndSplit(let plugin):
      "\(plugin) needs a dataset and one of its splits as inputs (make one with `pleura split NAME@V`)"
    case .splitOfAnotherDataset(let split, let owner, let dataset):
      "split \(split) belongs to dataset \(owner), not to \(dataset)"
    case .emptyPart(let split, let part): "split \(split) has no labelled cubes in its \(part) part"
    case .badParameter(let reason), .outOfRange(let reason): reason
    case .badShard(let sha, let reason): "cube shard \(sha.prefix(12)) \(reason)"
    case .needsModelAndDataset(let plugin): "\(plugin) needs a model and a dataset as inputs"
    case .partNeedsTheModelsSplit(let part, let dataset, let model):
      "part '\(part)' refers to the split of model \(model), which is not a split of \(dataset); use part 'all'"
    case .noCheckpoint(let run): "run \(run) left no checkpoint to resume from"
    case .resumeMismatch(let run, let reason): "cannot resume run \(run): \(reason)"
    case .stoppedAfterEpoch(let epoch): "stopped after epoch \(epoch) on request"
    case .unknownCube(let id): "cube \(id) is not in the dataset"
    case .cubeShapeMismatch(let dataset, let model):
      "cubes of \(dataset) do not have the shape model \(model) was trained on"
    case .initMismatch(let model, let reason): "cannot start from model \(model): \(reason)"
    case .nothingToCompare(let model, let dataset):
      "none of model \(model)'s test patients is in \(dataset): the two models would share no test patient"
    case .testPatientsDiffer(let reason): reason
    }
  }
}
