import Foundation
import Media
import Platform
import TestSupport
import Testing

@testable import Tiling

/// The bytes both cutters write for one fixed input, against the SHA-256 digests recorded before
/// their frame-window streaming became one type (`ClipWindow`): the refactor must not change a
/// dataset. The input is a lossless raw grey video (`.y4m`, made here), so the digests do not
/// depend on an encoder; the clip starts overlap, repeat a frame and leave gaps.
@Suite struct CutterBytesTests {
  static let width = 96
  static let height = 72
  static let frameCount = 70
  static let rect = PixelRect(x: 10, y: 6, width: 64, height: 48)
  /// Overlapping (0, 5), adjacent (5, 17), a gap (17 to 30), one frame apart (30, 31), and one ending
  /// at the last frame.
  static let clipStarts = [0, 5, 17, 30, 31, 58]
  static let length = 12

  /// Texture that changes with every frame, and a bright streak near the top that drifts right
  /// (the brightest columns move from window to window).
  static func pixel(x: Int, y: Int, frame: Int) -> UInt8 {
    let streak = x == 30 + frame / 8 || x == 50 - frame / 16 ? 120 : 0
    let band = y < 20 ? streak : 0
    return UInt8(truncatingIfNeeded: (x * 31 + y * 17 + frame * 11 + (x * y * (frame + 1)) % 23) % 120 + band)
  }

  static func writeVideo(to url: URL) throws {
    var data = Data("YUV4MPEG2 W\(width) H\(height) F30:1 Ip A1:1 Cmono\n".utf8)
    for frame in 0..<frameCount {
      data.append(Data("FRAME\n".utf8))
      var pixels = [UInt8](repeating: 0, count: width * height)
      for y in 0..<height { for x in 0..<width { pixels[y * width + x] = pixel(x: x, y: y, frame: frame) } }
      data.append(contentsOf: pixels)
    }
    try data.write(to: url)
  }

  static func item(tiles: [TileGrid.Tile]) -> TilePlan.Item {
    let now = "2026-01-01T00:00:00Z"
    let video = SourceVideo(
      id: "vid_1", siteId: "site_1", patientId: "pat_1", blobSha256: "", fileName: "a.y4m", label: .present,
      notes: nil, container: "yuv4mpegpipe", codec: "rawvideo", width: width, height: height, fpsNum: 30,
      fpsDen: 1, frameCount: frameCount, durationSeconds: Double(frameCount) / 30, createdAt: now)
    let conversion = Conversion(
      id: "conv_1", siteId: "site_1", sourceVideoId: video.id, blobSha256: "", parametersJson: "{}",
      container: "yuv4mpegpipe", codec: "rawvideo", width: width, height: height, fpsNum: 30, fpsDen: 1,
      frameCount: frameCount, durationSeconds: Double(frameCount) / 30, pixelData: "", createdAt: now)
    let label = LabelAnnotation(
      id: "lab_1", siteId: "site_1", sourceVideoId: video.id, version: 1, label: .present, adjudicated: false,
      author: "test", supersedesId: nil, createdAt: now)
    let roi = RoiAnnotation(
      id: "roi_1", siteId: "site_1", sourceVideoId: video.id, conversionId: conversion.id, version: 1,
      x: rect.x, y: rect.y, width: rect.width, height: rect.height, frameStart: nil, frameEnd: nil,
      author: "test", supersedesId: nil, createdAt: now)
    return TilePlan.Item(
      video: video, patientCode: "P1", conversion: conversion, label: label, roi: roi, rect: rect,
      frames: 0..<frameCount, tiles: tiles, clipStarts: clipStarts)
  }

  /// The shard's digest and where each of its rows came from.
  static func digest(_ cut: CubeCutter.Cut) throws -> String {
    let rows = cut.cubes.map { "\($0.clip):\($0.firstFrame):\($0.tile.row):\($0.tile.column):\($0.tile.x)" }
    return try SHA256Hex.digest(fileAt: cut.shard).sha256 + " "
      + SHA256Hex.digest(rows.joined(separator: ","))
  }

  func cut(_ kind: String, in scratch: Scratch) throws -> String {
    let video = scratch.url.appending(path: "clip.y4m")
    try Self.writeVideo(to: video)
    let shard = scratch.url.appending(path: "\(kind).npy")
    let cut: CubeCutter.Cut
    if kind == "cubes" {
      var recipe = DatasetRecipe(name: "bytes", tileSize: 16, rows: "all")
      recipe.framesPerCube = Self.length
      cut = try CubeCutter.cut(
        item: Self.item(tiles: TileGrid.tiles(in: Self.rect, size: 16, rowLimit: nil)), recipe: recipe,
        source: video, into: shard, cancelled: { false })
    } else {
      var settings = MModeSettings()
      settings.window = Self.length
      settings.sampling = kind == "every" ? .every : .brightest
      settings.topK = 3
      settings.bandHeight = 14
      settings.size = 16
      let columns = stride(from: 0, to: Self.rect.width, by: kind == "every" ? 9 : 1).map {
        TileGrid.Tile(row: 0, column: $0, x: Self.rect.x + $0, y: Self.rect.y)
      }
      cut = try MModeCutter.cut(
        item: Self.item(tiles: columns), settings: settings, source: video, into: shard, cancelled: { false })
    }
    #expect(cut.cubes.count > 0)
    return try Self.digest(cut)
  }

  @Test(arguments: [
    (
      "cubes",
      "c911495c206fd79e4c96ee33b601a449ec5f0d4aa7ed46604a1c54fd54c2e3b8 "
        + "6a5ba875c36916af8e91a04dfd34f080c0c5d95f761dd2c718cec2cf349e38d2"
    ),
    (
      "every",
      "d38eb9c941d931c909ced428ff2aede9b2cffa41a6f582cfa28b9a6cc41b1501 "
        + "591954f674d72527b2b333f9f41bd27102f9335e10e0272961e27ab8b03606c0"
    ),
    (
      "brightest",
      "84f3c022b8c9e688ff3dac1359da373eca024df95790852d687a3a9681936813 "
        + "0b52b61ae1286a815763264ffaebeda3d0817de867de0b41f0ae780bbeb641c6"
    ),
  ])
  func theCuttersWriteTheBytesRecordedBeforeTheirWindowWasShared(kind: String, recorded: String) throws {
    let scratch = Scratch()
    let digest = try cut(kind, in: scratch)
    #expect(digest == recorded, "\(kind): \(digest)")
  }

  /// Sidecars of M-mode images at the brightest columns end with the window and the rank; every
  /// other sidecar keeps the columns it always had (so its bytes, and its dataset, stay the same).
  @Test func rankedSidecarsEndWithTheWindowAndTheRank() {
    let tiles = [
      TileGrid.Tile(row: 0, column: 9, x: 19, y: 6), TileGrid.Tile(row: 1, column: 3, x: 13, y: 6),
    ]
    let cut = CubeCutter.Cut(
      shard: URL(fileURLWithPath: "/dev/null"), framesPerCube: 1, size: 16,
      cubes: [(0, 0, tiles[0]), (0, 0, tiles[1]), (1, 5, tiles[1]), (1, 5, tiles[0])])
    let item = Self.item(tiles: tiles)
    let plain = TilePlugin.sidecar(item: item, cut: cut).split(separator: "\n")
    let ranked = TilePlugin.sidecar(item: item, cut: cut, ranked: true).split(separator: "\n")
    #expect(
      plain[0]
        == "index,clip,first_frame,frames,tile_row,tile_col,x,y,size,label,patient,conversion,roi_version")
    #expect(plain[1] == "0,0,0,1,0,9,19,6,16,present,P1,conv_1,1")
    #expect(ranked[0] == plain[0] + ",window,rank")
    #expect(zip(ranked.dropFirst(), plain.dropFirst()).allSatisfy { $0.hasPrefix($1 + ",") })
    #expect(
      ranked.dropFirst().map { $0.split(separator: ",").suffix(2).joined(separator: ",") } == [
        "0,0", "0,1", "1,1", "1,0",
      ])
  }
}
