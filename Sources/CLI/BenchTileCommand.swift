import ArgumentParser
import Foundation
import Platform
import Tiling

extension BenchCommand {
  /// `pleura bench tile [RECIPE]`: tiling the catalog's conversions against decoding them alone.
  struct Tile: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "tile",
      abstract: "Time tiling a recipe's conversions against decoding the same videos alone.",
      discussion: """
        Example:
          pleura bench tile all_30x30 --repetitions 5
        """)

    @OptionGroup var catalogOptions: CatalogOptions
    @Argument(help: "Recipe file or built-in name.") var recipe = "all_30x30"
    @Option(help: "Alternating repetitions of each pass.") var repetitions = 5
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
      let recipe = try DatasetRecipe.load(recipe)
      let result = try TileBenchmark.run(
        recipe: recipe, catalog: try catalogOptions.open(), repetitions: repetitions)
      if json { return print(try CanonicalJSON.pretty(result)) }
      print(
        String(
          format:
            "%@: %d videos, %d frames, %d cubes; decode only %.3f s, tile %.3f s (medians of %d): %.2fx",
          recipe.name, result.videos, result.frames, result.cubes, result.medianDecode,
          result.medianTile, repetitions, result.ratio))
    }
  }
}
