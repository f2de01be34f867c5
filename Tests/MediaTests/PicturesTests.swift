import Foundation
import Media
import Testing

/// 20 frames at 10 fps, lossless, each carrying its index in a code bar; column 40 holds brightness 10 x index.
private func makeIndexedVideo(_ fixtures: Fixtures) throws -> URL {
  let url = fixtures.url("indexed.mkv")
  let writer = try VideoWriter(
    url: url, width: 80, height: 24,
    options: VideoWriterOptions(codec: .ffv1, frameRate: VideoRational(10, 1)))
  for i in 0..<20 {
    var image = codeBarImage(width: 80, height: 24, index: i)
    for y in 0..<24 { image[70, y] = UInt8(10 * i + y) }
    try writer.append(image)
  }
  try writer.finish()
  return url
}

@Suite struct PicturesTests {
  @Test(arguments: [(0.0, 0), (1.25, 12), (1.3, 13), (1.99, 19)])
  func frameAtTimeIsTheOneOnScreen(seconds: Double, index: Int) throws {
    let fixtures = try Fixtures()
    defer { fixtures.remove() }
    let frame = try FrameGrabber.frame(of: try makeIndexedVideo(fixtures), at: seconds)
    #expect(readCodeBar(frame) == index)
  }

  @Test func frameAfterTheEndIsOutOfRange() throws {
    let fixtures = try Fixtures()
    defer { fixtures.remove() }
    let url = try makeIndexedVideo(fixtures)
    #expect(throws: VideoError.self) { try FrameGrabber.frame(of: url, at: 2.5) }
  }

  @Test func mModeRunsTimeLeftToRight() throws {
    let fixtures = try Fixtures()
    defer { fixtures.remove() }
    let url = try makeIndexedVideo(fixtures)
    let mmode = try MModeImage.make(from: url, column: 70, rows: 4..<20)
    #expect(mmode.width == 20 && mmode.height == 16)
    #expect(mmode[0, 0] == 4 && mmode[13, 0] == 134 && mmode[13, 15] == 149)
    #expect(try MModeImage.make(from: url, column: 70, rows: 4...19) == mmode)
    #expect(throws: VideoError.self) { try MModeImage.make(from: url, column: 80) }
    #expect(throws: VideoError.self) { try MModeImage.make(from: url, column: 5, rows: 10..<30) }

    let png = fixtures.url("mmode.png")
    try PNGWriter.write(mmode, to: png)
    #expect(try Fixtures.decodeAll(png)[0].image == mmode)
  }

  @Test func contactSheetShowsEvenlySpacedFramesWithTimes() throws {
    let fixtures = try Fixtures()
    defer { fixtures.remove() }
    let url = try makeIndexedVideo(fixtures)
    let sheet = try ContactSheet.make(from: url, columns: 2, rows: 2, thumbnailWidth: 80)
    // Cells are 80 + 4 wide and 24 + (7 + 8) high, plus the outer margin.
    #expect(sheet.width == 2 * 84 + 4 && sheet.height == 2 * 39 + 4)
    // Thumbnail 3 (bottom right) shows t = 1.5 s, frame 15.
    var thumbnail = GrayImage(width: 80, height: 24)
    for y in 0..<24 {
      for x in 0..<80 { thumbnail[x, y] = sheet[4 + 84 + x, 4 + 39 + y].green }
    }
    #expect(readCodeBar(thumbnail) == 15)
    // The label under it is drawn in white.
    let labelTop = 4 + 39 + 24 + 4
    let label: [RGBColor] = (0..<40).flatMap { (x: Int) -> [RGBColor] in
      (0..<7).map { (dy: Int) -> RGBColor in sheet[88 + x, labelTop + dy] }
    }
    #expect(label.contains(.white))

    let png = fixtures.url("sheet.png")
    try PNGWriter.write(sheet, to: png)
    let decoded = try Fixtures.decodeAll(png)[0].image
    #expect(decoded.width == sheet.width && decoded.height == sheet.height)
  }

  @Test func rectanglesAndGridsAreDrawnInsideTheImage() {
    var image = RGBImage(GrayImage(width: 20, height: 10, fill: 50))
    image.strokeRectangle(x: 2, y: 2, width: 6, height: 5, color: .yellow)
    #expect(image[2, 2] == .yellow && image[7, 6] == .yellow && image[4, 4] == RGBColor(gray: 50))
    image.drawGrid(x: 10, y: 0, cellWidth: 5, cellHeight: 5, columns: 2, rows: 2, color: .red)
    #expect(image[10, 3] == .red && image[15, 3] == .red && image[19, 3] == .red && image[12, 3] != .red)
    image.strokeRectangle(x: -5, y: -5, width: 100, height: 100, color: .green)  // clipped, no crash
    image.drawText("0.5S", x: 0, y: 0, color: .white)
    #expect(image.pixels.count == 20 * 10 * 3)
  }
}
