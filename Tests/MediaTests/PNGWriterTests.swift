import Foundation
import Media
import Testing

@Suite struct PNGWriterTests {
  @Test func greyPNGDecodesToTheSamePixels() throws {
    let fixtures = try Fixtures()
    defer { fixtures.remove() }
    let image = patternImage(width: 37, height: 23, index: 3)
    let url = fixtures.url("grey.png")
    try PNGWriter.write(image, to: url)
    let decoded = try Fixtures.decodeAll(url)
    #expect(decoded.count == 1)
    #expect(decoded[0].image == image)
  }

  @Test func rgbPNGDecodesToTheRightSize() throws {
    let fixtures = try Fixtures()
    defer { fixtures.remove() }
    var image = RGBImage(width: 41, height: 17, fill: .black)
    image.fillRectangle(x: 0, y: 0, width: 10, height: 17, color: .white)
    let url = fixtures.url("rgb.png")
    try PNGWriter.write(image, to: url)
    let data = try Data(contentsOf: url)
    #expect(data.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
    let decoded = try Fixtures.decodeAll(url)[0].image
    #expect(decoded.width == 41 && decoded.height == 17)
    #expect(decoded[5, 8] > 230 && decoded[30, 8] < 25)
  }

  @Test func unwritableDestinationNamesTheFile() throws {
    let url = URL(fileURLWithPath: "/nonexistent-folder/x.png")
    do {
      try PNGWriter.write(GrayImage(width: 4, height: 4), to: url)
      Issue.record("wrote into a missing folder")
    } catch let error as VideoError {
      #expect(error.description.contains(url.path))
    }
  }
}
