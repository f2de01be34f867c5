import GRDB
import Platform
import Resnet3D

/// Which network a dataset's items fit: the 2D ResNet-18 takes single-frame images (M-mode
/// datasets store them as cubes of one frame), the 3D networks clips of several frames, whose
/// time axis they convolve. Training refuses the other pairings before anything is written.
enum ArchitectureFit {
  /// Frames per item of a dataset; nil when it holds none.
  static func frames(dataset datasetID: String, in db: Database) throws -> Int? {
    try Int.fetchOne(db, sql: "SELECT frames FROM cube WHERE dataset_id = ? LIMIT 1", arguments: [datasetID])
  }

  /// Throws one sentence naming the architecture, the dataset and what to use instead.
  static func check(architecture name: String, frames: Int, dataset: String) throws {
    let preset = try ResNet3DConfig.Preset.named(name)
    let threeD = ResNet3DConfig.Preset.allCases.filter { !$0.twoDimensional }.map(\.rawValue)
    let twoD = ResNet3DConfig.Preset.allCases.filter(\.twoDimensional).map(\.rawValue)
    if preset.twoDimensional, frames != 1 {
      throw TrainingError.badParameter(
        "architecture \(preset.rawValue) is 2D and takes single-frame images (M-mode), but dataset "
          + "\(dataset) has \(frames)-frame cubes; use \(threeD.joined(separator: ", "))")
    }
    if !preset.twoDimensional, frames == 1 {
      throw TrainingError.badParameter(
        "architecture \(preset.rawValue) convolves time and needs clips of several frames, but dataset "
          + "\(dataset) holds single-frame images (M-mode); use \(twoD.joined(separator: ", "))")
    }
  }
}
