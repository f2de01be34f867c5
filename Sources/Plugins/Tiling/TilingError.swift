public enum TilingError: Error, CustomStringConvertible {
  case roiOutsideFrame(conversion: String, width: Int, height: Int)
  case tooFewFrames(conversion: String, expected: Int, found: Int)
  case nothingToTile(recipe: String, skipped: Int)
  /// A run's conversion + ROI pairs no longer match what the catalog plans for its recipe.
  case inputsChanged(recipe: String, differences: [String])
  /// A plan item without a tile or a clip (the planner skips such videos).
  case nothingToCut(conversion: String)

  public var description: String {
    switch self {
    case .roiOutsideFrame(let conversion, let width, let height):
      "conversion \(conversion): the tiles fall outside its \(width)x\(height) frames"
    case .tooFewFrames(let conversion, let expected, let found):
      "conversion \(conversion): decoding gave \(found) frames, the clips need \(expected)"
    case .nothingToTile(let recipe, let skipped):
      "recipe \(recipe): no video can be tiled (\(skipped) skipped; see the reasons with --json or `pleura videos`)"
    case .nothingToCut(let conversion):
      "conversion \(conversion): the plan holds no tile or clip to cut"
    case .inputsChanged(let recipe, let differences):
      "recipe \(recipe): the inputs changed since the dataset was planned; plan again "
        + "(`pleura dataset build \(recipe)`)"
        + (differences.isEmpty
          ? ""
          : ": " + differences.prefix(3).joined(separator: "; ")
            + (differences.count > 3 ? "; and \(differences.count - 3) more" : ""))
    }
  }
}
