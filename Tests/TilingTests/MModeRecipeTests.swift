import Foundation
import Platform
import Testing

@testable import Tiling

/// M-mode recipes: what they read as, how they are written, what they refuse, and the parts of
/// the cutter that need no video (column choice, resizing).
@Suite struct MModeRecipeTests {
  @Test func theBuiltInRecipesAreMModeRecipesWithTheBaselinesWindow() throws {
    let every = try DatasetRecipe.load("mmode_64")
    #expect(every.kind == .mmode)
    let settings = try #require(every.mmode)
    #expect(settings.window == 64 && settings.stride == 64 && settings.size == 64)
    #expect(settings.sampling == .every && settings.columnStep == 8)
    #expect(every.clipLength == 64 && every.clipStep == 64)
    #expect(
      every.kindDescription == "64x64 M-mode images, 64-frame windows every 64 frames, every 8th column")
    let brightest = try DatasetRecipe.load("mmode_64_brightest")
    #expect(brightest.mmode?.sampling == .brightest && brightest.mmode?.topK == 3)
    #expect(brightest.kindDescription.hasSuffix("the 3 brightest columns of the top 32 rows"))
    #expect(DatasetRecipe.builtinNames.contains("mmode_64"))
  }

  @Test func anMModeRecipeRoundTripsThroughItsCanonicalJSONWithoutCubeFields() throws {
    var settings = MModeSettings()
    settings.window = 32
    settings.sampling = .brightest
    let recipe = DatasetRecipe(name: "m", mmode: settings)
    let json = try CanonicalJSON.encode(recipe)
    #expect(json.contains(#""kind":"mmode""#) && json.contains(#""sampling":"brightest""#))
    for field in ["tileSize", "rows", "framesPerCube", "clipStride"] { #expect(!json.contains(field)) }
    let decoded = try JSONDecoder().decode(DatasetRecipe.self, from: Data(json.utf8))
    #expect(decoded == recipe)
    try decoded.validate()
  }

  /// Cube recipes are written exactly as before kinds existed: the identity of their runs holds.
  @Test func aCubeRecipeIsWrittenWithoutKindOrMMode() throws {
    let json = try CanonicalJSON.encode(try DatasetRecipe.load("all_30x30"))
    #expect(!json.contains("kind") && !json.contains("mmode"))
    #expect(
      json
        == #"{"clipStride":60,"conversion":{"codec":"h264","fpsDenominator":1,"fpsNumerator":30,"height":480,"#
        + #""scaling":"stretch","width":640},"description":"The study's all_30x30 dataset: 30x30 px tiles, "#
        + #"every tile row that fits in the ROI, 60-frame non-overlapping clips of 640x480 30 fps conversions.","#
        + #""framesPerCube":60,"labels":["present","absent"],"leftovers":"drop","name":"all_30x30","#
        + #""patients":[],"rows":"all","tileSize":30}"#)
  }

  /// Each bad value gets one line that names the recipe and the value.
  @Test(arguments: [
    (#""kind": "bmode""#, "recipe bad: kind 'bmode' is not one of cubes, mmode"),
    (#""kind": "mmode", "mmode": {"window": 0}"#, "recipe bad: mmode.window 0 is outside 1...600"),
    (#""kind": "mmode", "mmode": {"stride": 7000}"#, "recipe bad: mmode.stride 7000 is outside 1...6000"),
    (#""kind": "mmode", "mmode": {"size": 3}"#, "recipe bad: mmode.size 3 is outside 4...512"),
    (#""kind": "mmode", "mmode": {"topK": 0}"#, "recipe bad: mmode.topK 0 is outside 1...64"),
    (#""kind": "mmode", "mmode": {"columnStep": -2}"#, "recipe bad: mmode.columnStep -2 is outside 1...4096"),
    (#""kind": "mmode", "mmode": {"bandHeight": 0}"#, "recipe bad: mmode.bandHeight 0 is outside 1...4096"),
    (
      #""kind": "mmode", "mmode": {"sampling": "middle"}"#,
      "recipe bad: mmode.sampling 'middle' is not one of every, brightest"
    ),
    (
      #""kind": "mmode", "tileSize": 30, "framesPerCube": 64"#,
      "recipe bad: tileSize, framesPerCube do not apply to an M-mode recipe (set mmode.window, mmode.stride and mmode.size)"
    ),
    (#""tileSize": 30, "rows": "2", "mmode": {}"#, #"recipe bad: an mmode section needs "kind": "mmode""#),
  ])
  func aBadValueIsRefusedWithOneLineNamingIt(fields: String, message: String) throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mmode-recipe-\(UUID())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let file = folder.appendingPathComponent("bad.json")
    try Data(#"{"name": "bad", \#(fields)}"#.utf8).write(to: file)
    do {
      _ = try DatasetRecipe.load(file.path)
      Issue.record("\(fields) was accepted")
    } catch {
      #expect(String(describing: error) == message)
      #expect(!String(describing: error).contains("\n"))
    }
  }

  @Test func aProgrammaticRecipeWithoutSettingsOrWithStraySettingsIsRefused() {
    var recipe = DatasetRecipe(name: "m", mmode: MModeSettings())
    recipe.mmode = nil
    #expect(throws: RecipeError.self) { try recipe.validate() }
    var cubes = DatasetRecipe(name: "c", tileSize: 30, rows: "2")
    cubes.mmode = MModeSettings()
    #expect(throws: RecipeError.self) { try cubes.validate() }
  }

  @Test func everyKthColumnIsPlannedAtTheROIsTopAndShallowROIsHaveNone() {
    var settings = MModeSettings()
    settings.columnStep = 8
    let recipe = DatasetRecipe(name: "m", mmode: settings)
    let tiles = recipe.plannedTiles(in: PixelRect(x: 100, y: 50, width: 100, height: 300))
    #expect(tiles.count == 13)
    #expect(tiles.map(\.column) == Array(stride(from: 0, to: 100, by: 8)))
    #expect(tiles.allSatisfy { $0.y == 50 } && tiles.first?.x == 100 && tiles.last?.x == 196)
    #expect(tiles.map(\.row) == Array(0..<13))
    #expect(recipe.plannedTiles(in: PixelRect(x: 0, y: 0, width: 100, height: 7)).isEmpty)
    settings.sampling = .brightest
    let brightest = DatasetRecipe(name: "m", mmode: settings)
    #expect(brightest.plannedTiles(in: PixelRect(x: 0, y: 0, width: 40, height: 20)).count == 40)
  }

  @Test func theBrightestColumnsOfTheBandAreKeptBrightestFirst() {
    // Frames 6 wide, 10 deep: column 4 is brightest in the band (top 3 rows), column 1 next;
    // column 5 is brightest below the band and must not count.
    var frame = [UInt8](repeating: 10, count: 60)
    for y in 0..<3 {
      frame[y * 6 + 4] = 200
      frame[y * 6 + 1] = 150
    }
    for y in 3..<10 { frame[y * 6 + 5] = 255 }
    var settings = MModeSettings()
    settings.sampling = .brightest
    settings.bandHeight = 3
    settings.topK = 2
    let candidates = (0..<6).map { TileGrid.Tile(row: $0, column: $0, x: 20 + $0, y: 5) }
    let chosen = MModeCutter.columns(
      of: [frame, frame][...], tiles: candidates, width: 6, settings: settings)
    #expect(chosen.map(\.column) == [4, 1])
    #expect(chosen.map(\.row) == [0, 1])
    #expect(chosen.map(\.x) == [24, 21])
  }

  @Test func theMModeOfAColumnRunsDepthDownAndTimeAcross() {
    // Two frames 2 wide, 3 deep; pixel value = 100 * frame + 10 * row + column.
    var frames: [[UInt8]] = []
    for t in 0..<2 {
      var frame: [UInt8] = []
      for i in 0..<6 { frame.append(UInt8(100 * t + 10 * (i / 2) + i % 2)) }
      frames.append(frame)
    }
    #expect(MModeCutter.mmode(of: frames[...], column: 1, width: 2, height: 3) == [1, 101, 11, 111, 21, 121])
  }

  @Test func areaResamplingAveragesWhatEachPixelCovers() {
    #expect(AreaResampler.resize([10, 20, 30, 40], width: 4, height: 1, to: 2) == [15, 35, 15, 35])
    #expect(
      AreaResampler.resize([7, 7, 7, 7, 7, 7], width: 3, height: 2, to: 5) == [UInt8](repeating: 7, count: 25)
    )
    #expect(AreaResampler.resize([0, 90], width: 2, height: 1, to: 3) == [0, 45, 90, 0, 45, 90, 0, 45, 90])
    for (from, to) in [(300, 64), (64, 64), (20, 64), (7, 3)] {
      for taps in AreaResampler.weights(from: from, to: to) {
        #expect(abs(taps.map(\.weight).reduce(0, +) - 1) < 1e-5)
      }
    }
  }
}
