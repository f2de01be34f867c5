import Foundation
import Media
import TestSupport
import Testing

/// The code bar burned into frame `index`: 8 bits as black/white blocks 8 px wide across the frame.
func codeBarImage(width: Int, height: Int, index: Int) -> GrayImage {
  var image = GrayImage(width: width, height: height, fill: 128)
  for bit in 0..<8 where (index >> bit) & 1 == 1 {
    for y in 0..<height {
      for x in (bit * 8)..<(bit * 8 + 8) { image[x, y] = 235 }
    }
  }
  for bit in 0..<8 where (index >> bit) & 1 == 0 {
    for y in 0..<height {
      for x in (bit * 8)..<(bit * 8 + 8) { image[x, y] = 16 }
    }
  }
  return image
}

/// Reads the code bar back from block centres.
func readCodeBar(_ image: GrayImage) -> Int {
  var value = 0
  for bit in 0..<8 where image[bit * 8 + 4, image.height / 2] > 128 { value |= 1 << bit }
  return value
}

@Suite struct TranscoderTests {
  /// (name, lavfi source, ffmpeg arguments, source duration in seconds)
  static let sources: [(String, String, [String], Double)] = [
    ("54.avi", "testsrc2=s=120x90:r=54:d=1", ["-c:v", "mpeg4", "-q:v", "4"], 1),
    ("25.mp4", "testsrc2=s=120x90:r=25:d=1", ["-c:v", "libx264", "-preset", "ultrafast"], 1),
    (
      "19.1.mov", "testsrc2=s=120x90:r=187000/9789:d=1.2",
      ["-c:v", "libx264", "-preset", "ultrafast"], 23 * 9789 / 187000
    ),
    (
      "22.25.mp4", "testsrc2=s=120x90:r=22.25:d=1.0", ["-c:v", "libx264", "-preset", "ultrafast"], 23 / 22.25
    ),
    (
      "vfr.mkv", "testsrc2=s=120x90:r=100:d=1",
      [
        "-vf", "select='lt(mod(n,7),3)+eq(mod(n,11),0)'", "-fps_mode", "vfr", "-c:v", "libx264", "-preset",
        "ultrafast",
      ], 1
    ),
    ("odd.mkv", "testsrc2=s=148x141:r=25:d=1", ["-c:v", "ffv1", "-pix_fmt", "gray"], 1),
    ("mjpeg.avi", "testsrc2=s=120x90:r=30:d=1", ["-c:v", "mjpeg", "-pix_fmt", "yuvj422p"], 1),
    ("mpeg2.mpg", "testsrc2=s=120x90:r=25:d=1", ["-c:v", "mpeg2video", "-f", "vob"], 1),
    ("anim.gif", "testsrc2=s=120x90:r=10:d=1", ["-f", "gif"], 1),
  ]

  @Test(arguments: sources)
  func everySourceComesOutAtExactlyTheRequestedRate(
    name: String, source: String, arguments: [String], duration: Double
  ) throws {
    let fixtures = try Fixtures()
    defer { fixtures.remove() }
    let input = try fixtures.ffmpeg(name, source: source, arguments)
    try checkTranscode(input, fixtures: fixtures, duration: duration)
  }

  @Test(
    .enabled(
      if: Fixtures.hasEncoder("libx265"), "the ffmpeg CLI has no libx265 encoder to make an HEVC fixture"))
  func hevcSourceConvertsWhenTheCLIHasLibx265() throws {
    let fixtures = try Fixtures()
    defer { fixtures.remove() }
    let input = try fixtures.ffmpeg(
      "hevc.mp4", source: "testsrc2=s=120x90:r=25:d=1",
      ["-c:v", "libx265", "-x265-params", "log-level=none", "-pix_fmt", "yuv420p"])
    try checkTranscode(input, fixtures: fixtures, duration: 1)
  }

  private func checkTranscode(_ input: URL, fixtures: Fixtures, duration: Double) throws {
    let output = fixtures.url(input.lastPathComponent + ".out.mp4")
    var options = TranscodeOptions(width: 160, height: 120)
    options.codec = .h264(crf: 18, preset: "veryfast")
    var reports: [TranscodeProgress] = []
    let result = try Transcoder.transcode(input: input, output: output, options: options) {
      reports.append($0)
    }
    let expected = Int((duration * 30).rounded())
    #expect(abs(result.output.frameCount - expected) <= 1, "\(result.output.frameCount) vs \(expected)")
    #expect(result.output.codecName == "h264" && result.output.container == .mp4)
    #expect(reports.map(\.framesDone) == Array(1...result.output.frameCount))

    let decoder = try VideoDecoder(url: output)
    #expect(decoder.info.codecName == "h264")
    #expect(decoder.info.width == 160 && decoder.info.height == 120)
    #expect(decoder.info.frameRate == VideoRational(30, 1))
    #expect(decoder.info.declaredFrameCount == result.output.frameCount)
    #expect(abs(decoder.info.duration - Double(result.output.frameCount) / 30) < 0.002)
    let frames = try Fixtures.decodeAll(output)
    #expect(frames.count == result.output.frameCount)
  }

  @Test func outputFrameJCarriesTheSourceFrameTheFpsFilterPicks() throws {
    let fixtures = try Fixtures()
    defer { fixtures.remove() }
    let input = fixtures.url("coded.mkv")
    let writer = try VideoWriter(
      url: input, width: 64, height: 16,
      options: VideoWriterOptions(codec: .ffv1, frameRate: VideoRational(54, 1)))
    for i in 0..<81 { try writer.append(codeBarImage(width: 64, height: 16, index: i)) }
    try writer.finish()

    let output = fixtures.url("coded.mp4")
    let options = TranscodeOptions(width: 64, height: 16, codec: .h264(crf: 18, preset: "veryfast"))
    let result = try Transcoder.transcode(input: input, output: output, options: options)
    #expect(result.output.frameCount == 45)  // 81 / 54 s x 30 = 45
    let decoded = try Fixtures.decodeAll(output).map { readCodeBar($0.image) }
    // fps filter: output j shows the last source frame i with round(i x 30 / 54) <= j.
    let expected = (0..<45).map { j in (0..<81).last { i in (Double(i) * 30 / 54).rounded() <= Double(j) }! }
    #expect(decoded == expected)
  }

  @Test func letterboxKeepsAspectWithBlackBars() throws {
    let fixtures = try Fixtures()
    defer { fixtures.remove() }
    let input = fixtures.url("wide.mkv")
    let writer = try VideoWriter(
      url: input, width: 64, height: 32,
      options: VideoWriterOptions(codec: .ffv1, frameRate: VideoRational(30, 1)))
    for _ in 0..<3 { try writer.append(GrayImage(width: 64, height: 32, fill: 200)) }
    try writer.finish()
    let output = fixtures.url("boxed.mkv")
    let options = TranscodeOptions(width: 64, height: 64, codec: .ffv1, scaling: .letterbox)
    try Transcoder.transcode(input: input, output: output, options: options)
    let frame = try Fixtures.decodeAll(output)[0].image
    #expect(frame.width == 64 && frame.height == 64)
    #expect(frame[32, 4] == 0 && frame[32, 60] == 0)
    #expect(frame[32, 32] == 200)
  }

  @Test func brokenSourceFailsNamingTheFrameAndLeavesNoOutput() throws {
    let fixtures = try Fixtures()
    defer { fixtures.remove() }
    let clip = try fixtures.ffmpeg(
      "whole.avi", source: "testsrc2=s=96x64:r=25:d=2", ["-c:v", "mpeg4", "-q:v", "4"])
    let data = try Data(contentsOf: clip)
    let cut = fixtures.url("cut.avi")
    try data.prefix(data.count / 2).write(to: cut)
    let output = fixtures.url("out.mp4")
    do {
      try Transcoder.transcode(input: cut, output: output, options: TranscodeOptions(width: 96, height: 64))
      Issue.record("a truncated source converted without error")
    } catch let error as VideoError {
      #expect(error.description.contains(cut.path))
      #expect(error.description.contains("frame"))
    }
    #expect(!FileManager.default.fileExists(atPath: output.path))
  }

  @Test func throwingFromProgressCancelsAndLeavesNoOutput() throws {
    struct Stop: Error {}
    let fixtures = try Fixtures()
    defer { fixtures.remove() }
    let input = try fixtures.ffmpeg(
      "in.avi", source: "testsrc2=s=96x64:r=25:d=2", ["-c:v", "mpeg4", "-q:v", "4"])
    let output = fixtures.url("out.mp4")
    #expect(throws: Stop.self) {
      try Transcoder.transcode(input: input, output: output, options: TranscodeOptions(width: 96, height: 64))
      {
        if $0.framesDone == 5 { throw Stop() }
      }
    }
    #expect(!FileManager.default.fileExists(atPath: output.path))
  }

  @Test(.tags(.realClips), .enabled(if: RealClips.available, RealClips.absent))
  func realClipAt19FpsComesOutAt30() throws {
    let folder = RealClips.folder
    let fixtures = try Fixtures()
    defer { fixtures.remove() }
    let input = folder.appendingPathComponent("Reg_Image_18122_crop.mp4")
    let output = fixtures.url("real.mp4")
    let options = TranscodeOptions(width: 160, height: 120, codec: .h264(crf: 18, preset: "veryfast"))
    let result = try Transcoder.transcode(input: input, output: output, options: options)
    #expect(result.sourceFrameCount == 187)
    // 187 frames at 187000/9789 fps last 9.789 s: 294 frames at 30 fps.
    #expect(abs(result.output.frameCount - 294) <= 1)
  }
}
