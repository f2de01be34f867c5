import Foundation
import Media
import Testing

@testable import Tiling

/// Which conversions a recipe takes: the transcode parameters it names, the study's by default.
@Suite struct RecipeConversionFilterTests {
  @Test func aRecipeWithoutCodecOrScalingMeansTheStudysH264Stretched() throws {
    let json = #"{"width": 640, "height": 480, "fpsNumerator": 30, "fpsDenominator": 1}"#
    let filter = try JSONDecoder().decode(DatasetRecipe.ConversionFilter.self, from: Data(json.utf8))
    #expect(filter == DatasetRecipe.ConversionFilter())
    #expect(filter.description == "h264 640x480 30/1 fps stretch")
  }

  @Test func onlyConversionsMadeWithTheNamedParametersMatch() {
    let filter = DatasetRecipe.ConversionFilter()
    var parameters = TranscodePlugin.Parameters()
    #expect(filter.matches(parameters))
    parameters.crf = 30
    parameters.preset = "ultrafast"
    #expect(filter.matches(parameters), "crf and preset are free unless the recipe fixes them")
    for change in [
      { (p: inout TranscodePlugin.Parameters) in p.codec = "ffv1" },
      { $0.scaling = "letterbox" }, { $0.width = 320 }, { $0.fpsNumerator = 25 },
    ] {
      var other = TranscodePlugin.Parameters()
      change(&other)
      #expect(!filter.matches(other))
    }
    var fixed = filter
    fixed.crf = 18
    #expect(!fixed.matches(parameters) && fixed.matches(TranscodePlugin.Parameters()))
    #expect(fixed.description == "h264 640x480 30/1 fps stretch crf 18")
  }

  @Test func aRecipeNamingAnUnknownCodecIsRefused() throws {
    var recipe = DatasetRecipe(name: "odd", tileSize: 30, rows: "2")
    recipe.conversion.codec = "h265"
    #expect(throws: RecipeError.self) { try recipe.validate() }
  }
}
