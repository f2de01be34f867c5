import Media
import Platform
import Testing

@testable import Tiling

@Suite struct CubeCutterTests {
  /// A 90x60 box whose left third is outside the image region: tiles wholly outside are dropped, a tile
  /// straddling the edge is kept and counted, tiles inside are kept.
  @Test func tilesAreJudgedAgainstTheImageRegion() throws {
    var region = ImageMask(width: 90, height: 60, filled: true)
    for y in 0..<60 { for x in 0..<35 { region[x, y] = false } }
    let tiles = TileGrid.tiles(in: PixelRect(x: 100, y: 200, width: 90, height: 60), size: 30, rowLimit: nil)
    let box = try #require(CubeCutter.Box(tiles: tiles, size: 30))
    let (kept, partly, mostly) = CubeCutter.tilesInside(tiles, box: box, size: 30, region: region)
    #expect(mostly == 2, "the left column lies wholly outside")
    #expect(partly == 2, "the middle column is 5 px outside")
    #expect(kept.map { $0.column }.allSatisfy { $0 >= 1 } && kept.count == 4)
    // Without a region (fewer than two frames to judge by) every tile is kept.
    #expect(CubeCutter.tilesInside(tiles, box: box, size: 30, region: nil).kept.count == 6)
  }
}
