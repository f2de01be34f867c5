import Media
import Testing

@Suite struct GrayImageTests {
  @Test func cropKeepsThePixelsInsideAndClipsAtTheEdges() {
    let image = GrayImage(width: 5, height: 4, pixels: (0..<20).map(UInt8.init))
    #expect(image.cropped(x: 1, y: 1, width: 2, height: 2)?.pixels == [6, 7, 11, 12])
    #expect(image.cropped(x: 3, y: 2, width: 10, height: 10)?.pixels == [13, 14, 18, 19])
    #expect(image.cropped(x: 5, y: 0, width: 2, height: 2) == nil)
  }

  @Test func meanBrightnessAndRGBConversion() {
    let image = GrayImage(width: 2, height: 1, pixels: [10, 30])
    #expect(image.meanBrightness == 20)
    let rgb = RGBImage(image)
    #expect(rgb.pixels == [10, 10, 10, 30, 30, 30])
    #expect(rgb[1, 0] == RGBColor(gray: 30))
  }
}
