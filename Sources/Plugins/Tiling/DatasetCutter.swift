import Foundation

/// The cutter a recipe's kind calls for: video cubes (``CubeCutter``) or M-mode images
/// (``MModeCutter``, written as cubes of one frame). Both return the same `Cut`, so sidecars,
/// rows and summaries are made the same way for either.
enum DatasetCutter {
  static func cut(
    item: TilePlan.Item, recipe: DatasetRecipe, source: URL, into shard: URL, cancelled: () -> Bool
  ) throws -> CubeCutter.Cut {
    if recipe.kind == .mmode, let settings = recipe.mmode {
      return try MModeCutter.cut(
        item: item, settings: settings, source: source, into: shard, cancelled: cancelled)
    }
    return try CubeCutter.cut(item: item, recipe: recipe, source: source, into: shard, cancelled: cancelled)
  }
}
