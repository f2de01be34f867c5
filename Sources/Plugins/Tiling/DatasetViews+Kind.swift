import Foundation
import Platform

extension DatasetViews {
  /// The recipe a dataset was built from, as recorded.
  public static func recipe(_ dataset: Dataset) -> DatasetRecipe? {
    try? JSONDecoder().decode(DatasetRecipe.self, from: Data(dataset.recipeJson.utf8))
  }

  /// The dataset's kind (`cubes`, `mmode`) and what its items are, read from its recipe; a
  /// recipe this Pleura cannot read says so rather than guessing.
  static func kind(of dataset: Dataset) -> (kind: String, holds: String) {
    guard let recipe = recipe(dataset) else { return ("?", "a recipe this version of Pleura cannot read") }
    return (recipe.kind.rawValue, recipe.kindDescription)
  }
}
