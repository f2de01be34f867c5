import Foundation
import Media
import Testing

/// A frame whose every pixel depends on its index and position, so frames differ and can be told apart.
func patternImage(width: Int, height: Int, index: Int) -> GrayImage {
  var image = GrayImage(width: width, height: height)
  for y in 0..<height {
    for x in 0..<width {
      image[x, y] = UInt8(truncatingIfNeeded: (x * 2 + y + index * 9) % 200 + 20)
    }
  }
  return image
}

@Suite struct VideoWriterTests {
  /// (codec, container, stored width, stored height, lossless)
  static let cases: [(VideoCodec, VideoContainer, Int, Int, Bool)] = [
    (.h264(crf: 18, preset: "veryfast"), .mp4, 148, 142, false),
    (.mpeg4(quality: 3), .avi, 148, 142, false),
    (.ffv1, .matroska, 148, 141, true),
    (.h264Lossless(preset: "ultrafast"), .mp4, 148, 142, true),
    (.h264(crf: 18, preset: "veryfast"), .mov, 148, 142, false),
  ]

  @Test(arguments: cases)
  func writesOddSizedGreyFramesAtTheRequestedRate(
    codec: VideoCodec, container: VideoContainer, width: Int, height: Int, lossless: Bool
  ) throws {
    let fixtures = try Fixtures()
    defer { fixtures.remove() }
    let url = fixtures.url("out.\(container.fileExtension)")
    let images = (0..<20).map { patternImage(width: 148, height: 141, index: $0) }
    let writer = try VideoWriter(
      url: url, width: 148, height: 141,
      options: VideoWriterOptions(codec: codec, container: container, frameRate: VideoRational(25, 1)))
    for image in images { try writer.append(image) }
    let summary = try writer.finish()
    #expect(summary.frameCount == 20)
    #expect(summary.encodedWidth == width && summary.encodedHeight == height)
    #expect(summary.container == container)

    let decoder = try VideoDecoder(url: url)
    #expect(decoder.info.codecName == codec.codecName)
    #expect(decoder.info.container == container.rawValue)
    #expect(decoder.info.frameRate == VideoRational(25, 1))
    #expect(abs(decoder.info.duration - 0.8) < 0.021)
    var frames: [DecodedFrame] = []
    while let frame = try decoder.nextFrame() { frames.append(frame) }
    #expect(frames.count == 20)
    #expect(frames.map { ($0.seconds * 25).rounded() } == (0..<20).map(Double.init))
    #expect(frames[0].image.width == width && frames[0].image.height == height)
    for (frame, image) in zip(frames, images) {
      var total = 0
      for y in 0..<141 {
        for x in 0..<148 { total += abs(Int(frame.image[x, y]) - Int(image[x, y])) }
      }
      let meanError = Double(total) / Double(148 * 141)
      #expect(lossless ? total == 0 : meanError < 4, "mean absolute error \(meanError)")
    }
  }

  @Test(arguments: [VideoRational(187_000, 9_789), VideoRational(89, 4), VideoRational(54, 1)])
  func keepsNonIntegerRates(rate: VideoRational) throws {
    let fixtures = try Fixtures()
    defer { fixtures.remove() }
    let url = fixtures.url("rate.mp4")
    let writer = try VideoWriter(
      url: url, width: 64, height: 48,
      options: VideoWriterOptions(codec: .h264(crf: 23, preset: "ultrafast"), frameRate: rate))
    for i in 0..<30 { try writer.append(patternImage(width: 64, height: 48, index: i)) }
    try writer.finish()
    let decoder = try VideoDecoder(url: url)
    #expect(abs(decoder.info.frameRate.doubleValue - rate.doubleValue) < 1e-3)
    #expect(abs(decoder.info.duration - 30 / rate.doubleValue) < 0.01)
    #expect(try Fixtures.decodeAll(url).count == 30)
  }

  @Test func rejectsUnknownPresetsListingTheValidOnes() throws {
    let fixtures = try Fixtures()
    defer { fixtures.remove() }
    let url = fixtures.url("preset.mp4")
    do {
      _ = try VideoWriter(
        url: url, width: 64, height: 48, options: VideoWriterOptions(codec: .h264(crf: 18, preset: "medum")))
      Issue.record("an unknown preset was accepted")
    } catch let error as VideoError {
      #expect(error.description.contains("medium"))
    }
    #expect(!FileManager.default.fileExists(atPath: url.path))
  }

  @Test func cancelDeletesThePartialFileAndClosedWritersRefuseFrames() throws {
    let fixtures = try Fixtures()
    defer { fixtures.remove() }
    let url = fixtures.url("cancelled.mp4")
    let writer = try VideoWriter(url: url, width: 64, height: 48, options: VideoWriterOptions())
    try writer.append(GrayImage(width: 64, height: 48, fill: 90))
    writer.cancel()
    #expect(!FileManager.default.fileExists(atPath: url.path))
    #expect(throws: VideoError.self) { try writer.append(GrayImage(width: 64, height: 48)) }
    #expect(throws: VideoError.self) { try writer.finish() }
  }

  @Test func rejectsFramesOfTheWrongSizeNamingTheFile() throws {
    let fixtures = try Fixtures()
    defer { fixtures.remove() }
    let url = fixtures.url("size.avi")
    let writer = try VideoWriter(
      url: url, width: 64, height: 48, options: VideoWriterOptions(codec: .mpeg4(quality: 4)))
    #expect(throws: VideoError.frameSizeMismatch(file: url.path, frame: 0, expected: "64x48", got: "32x32")) {
      try writer.append(GrayImage(width: 32, height: 32))
    }
  }
}
