import Platform
import Testing
import Tiling

@Suite struct TileGridTests {
  @Test(arguments: [
    // (ROI width, height, tile, row limit, expected columns, expected rows)
    (461, 277, 30, nil as Int?, 15, 9),
    (461, 277, 30, 2, 15, 2),
    (461, 277, 60, nil, 7, 4),
    (461, 277, 90, 2, 5, 2),
    (89, 300, 90, nil, 0, 0),
    (90, 45, 30, 2, 3, 1),
  ])
  func tilesFollowTheArithmetic(
    width: Int, height: Int, tile: Int, rows: Int?, columns: Int, expectedRows: Int
  ) {
    let roi = PixelRect(x: 10, y: 20, width: width, height: height)
    let tiles = TileGrid.tiles(in: roi, size: tile, rowLimit: rows)
    #expect(tiles.count == columns * expectedRows)
    if let last = tiles.last {
      #expect(last.row == expectedRows - 1 && last.column == columns - 1)
      #expect(last.x == 10 + (columns - 1) * tile && last.y == 20 + (expectedRows - 1) * tile)
      #expect(last.x + tile <= roi.maxX && last.y + tile <= roi.maxY)
    }
  }

  @Test func clipsAreWholeAndLeftoversFollowTheRecipe() {
    #expect(TileGrid.clipStarts(frames: 0..<181, length: 60, stride: 60, overlap: false) == [0, 60, 120])
    #expect(TileGrid.clipStarts(frames: 0..<181, length: 60, stride: 60, overlap: true) == [0, 60, 120, 121])
    #expect(TileGrid.clipStarts(frames: 0..<180, length: 60, stride: 60, overlap: true) == [0, 60, 120])
    #expect(TileGrid.clipStarts(frames: 10..<100, length: 60, stride: 30, overlap: false) == [10, 40])
    #expect(TileGrid.clipStarts(frames: 0..<59, length: 60, stride: 60, overlap: true).isEmpty)
  }

  @Test func theStudysRecipesAreBuiltIn() throws {
    let names = ["2_30x30", "all_30x30", "2_60x60", "all_60x60", "2_90x90", "all_90x90", "demo"]
    for name in names {
      let recipe = try DatasetRecipe.load(name)
      #expect(recipe.name == name)
      #expect(recipe.framesPerCube == 60 && recipe.clipStride == 60)
      #expect(recipe.conversion.width == 640 && recipe.conversion.height == 480)
    }
    #expect(try DatasetRecipe.load("all_90x90").rowLimit == nil)
    #expect(try DatasetRecipe.load("2_60x60").rowLimit == 2)
  }

  @Test func invalidRecipesAreRefusedWithTheReason() {
    var recipe = DatasetRecipe(name: "bad", tileSize: 30, rows: "all")
    recipe.tileSize = 0
    #expect(throws: RecipeError.self) { try recipe.validate() }
    recipe.tileSize = 30
    recipe.rows = "top"
    #expect(throws: RecipeError.self) { try recipe.validate() }
    recipe.rows = "2"
    recipe.labels = ["sliding"]
    #expect(throws: RecipeError.self) { try recipe.validate() }
    #expect(throws: RecipeError.self) { try DatasetRecipe.load("no_such_recipe") }
  }
}
