import Foundation
import Media
import TestSupport
import Testing

@Suite struct VideoDecoderTests {
  /// (file name, lavfi source, ffmpeg output arguments, expected codec, expected frames). The expected
  /// container word is the file's extension (mpg: mpeg-ps, mkv: matroska).
  static let formats: [(String, String, [String], String, Int)] = [
    ("h264.mp4", "testsrc2=s=96x64:r=25:d=1", ["-c:v", "libx264", "-pix_fmt", "yuv420p"], "h264", 25),
    ("mpeg4.avi", "testsrc2=s=96x64:r=54:d=0.5", ["-c:v", "mpeg4", "-q:v", "4"], "mpeg4", 27),
    (
      "mjpeg.avi", "testsrc2=s=96x64:r=25:d=1", ["-c:v", "mjpeg", "-q:v", "5", "-pix_fmt", "yuvj420p"],
      "mjpeg", 25
    ),
    ("mpeg2.mpg", "testsrc2=s=96x64:r=25:d=1", ["-c:v", "mpeg2video", "-f", "vob"], "mpeg2video", 25),
    ("anim.gif", "testsrc2=s=96x64:r=10:d=1", ["-f", "gif"], "gif", 10),
    ("h264.mov", "testsrc2=s=96x64:r=30:d=1", ["-c:v", "libx264", "-pix_fmt", "yuv420p"], "h264", 30),
    ("ffv1.mkv", "testsrc2=s=96x64:r=30:d=1", ["-c:v", "ffv1"], "ffv1", 30),
  ]

  @Test(arguments: formats)
  func decodesEveryFormatToGreyFramesWithTimes(
    name: String, source: String, arguments: [String], codec: String, count: Int
  ) throws {
    let fixtures = try Fixtures()
    defer { fixtures.remove() }
    let clip = try fixtures.ffmpeg(name, source: source, arguments)
    let decoder = try VideoDecoder(url: clip)
    #expect(decoder.info.codecName == codec)
    let word = ["mpg": "mpeg-ps", "mkv": "matroska"][clip.pathExtension] ?? clip.pathExtension
    #expect(decoder.info.container == word)
    #expect(decoder.info.width == 96 && decoder.info.height == 64)
    var frames: [DecodedFrame] = []
    while let frame = try decoder.nextFrame() { frames.append(frame) }
    #expect(frames.count == count)
    #expect(try VideoDecoder.countFrames(in: clip) == count)
    #expect(frames.allSatisfy { $0.image.width == 96 && $0.image.height == 64 })
    #expect(abs(frames[0].seconds) < 1e-6)
    #expect(zip(frames, frames.dropFirst()).allSatisfy { $0.pts < $1.pts })
    // testsrc2 is colourful: luma varies within a frame.
    #expect(Set(frames[0].image.pixels).count > 10)
  }

  @Test(
    .enabled(
      if: Fixtures.hasEncoder("libx265"), "the ffmpeg CLI has no libx265 encoder to make an HEVC fixture"))
  func decodesHEVCWhenTheCLIHasLibx265() throws {
    let fixtures = try Fixtures()
    defer { fixtures.remove() }
    let clip = try fixtures.ffmpeg(
      "hevc.mp4", source: "testsrc2=s=96x64:r=25:d=0.6",
      ["-c:v", "libx265", "-x265-params", "log-level=none", "-pix_fmt", "yuv420p"])
    let frames = try Fixtures.decodeAll(clip)
    #expect(frames.count == 15)
    #expect(try VideoDecoder(url: clip).info.codecName == "hevc")
  }

  @Test func truncatedFileFailsNamingTheFrameAfterTheLastGoodOne() throws {
    let fixtures = try Fixtures()
    defer { fixtures.remove() }
    let clip = try fixtures.ffmpeg(
      "whole.mp4", source: "testsrc2=s=96x64:r=25:d=2",
      ["-c:v", "libx264", "-g", "10", "-movflags", "+faststart"])
    let data = try Data(contentsOf: clip)
    let cut = fixtures.url("cut.mp4")
    try data.prefix(data.count * 6 / 10).write(to: cut)
    let decoder = try VideoDecoder(url: cut)
    var decoded = 0
    #expect {
      while try decoder.nextFrame() != nil { decoded += 1 }
    } throws: { error in
      // A cut inside a packet shows as bad data, a cut between packets as missing frames: both name the frame.
      switch error as? VideoError {
      case .truncated(let file, let frame, let declared):
        return file == cut.path && frame == decoded && declared == 50
      case .decodeFailed(let file, let frame, _):
        return file == cut.path && frame == decoded
      default:
        return false
      }
    }
    #expect(decoded > 0 && decoded < 50)
  }

  @Test(arguments: [
    ("mp4", ["-c:v", "libx264", "-g", "25", "-movflags", "+faststart"]), ("avi", ["-c:v", "mpeg4"]),
  ])
  func damagedMiddleFailsNamingTheFileAndAFrameInTheMiddle(container: String, arguments: [String]) throws {
    let fixtures = try Fixtures()
    defer { fixtures.remove() }
    let clip = try fixtures.ffmpeg("whole.\(container)", source: "testsrc2=s=160x120:r=25:d=4", arguments)
    var data = try Data(contentsOf: clip)
    for i in (data.count / 2)..<(data.count / 2 + 4000) { data[i] = UInt8(truncatingIfNeeded: i &* 7919) }
    let damaged = fixtures.url("damaged.\(container)")
    try data.write(to: damaged)
    do {
      _ = try Fixtures.decodeAll(damaged)
      Issue.record("a damaged file decoded without error")
    } catch let error as VideoError {
      switch error {
      case .decodeFailed(let file, let frame, _), .truncated(let file, let frame, _):
        #expect(file == damaged.path)
        #expect((30..<100).contains(frame), "broke at frame \(frame)")
      default:
        Issue.record("unexpected error \(error)")
      }
    }
  }

  @Test func missingAndNonVideoFilesFailNamingTheFile() throws {
    let fixtures = try Fixtures()
    defer { fixtures.remove() }
    let missing = fixtures.url("absent.mp4")
    #expect(throws: VideoError.self) { try VideoDecoder(url: missing) }
    let text = fixtures.url("notes.mp4")
    try Data("not a video".utf8).write(to: text)
    do {
      _ = try VideoDecoder(url: text)
      Issue.record("a text file opened as video")
    } catch let error as VideoError {
      #expect(error.description.contains(text.path))
    }
  }

  @Test(
    .tags(.realClips), .enabled(if: RealClips.available, RealClips.absent),
    arguments: [
      ("Reg_Image_18122_crop.mp4", 208, 187), ("Pneu_prospective_file3.mp4", 260, 151),
      ("Reg_pat1Image_132943.mpeg", 370, 280),
    ])
  func decodesTheRealClips(name: String, size: Int, frames: Int) throws {
    let decoded = try Fixtures.decodeAll(RealClips.folder.appendingPathComponent(name))
    #expect(decoded.count == frames)
    #expect(decoded[0].image.width == size && decoded[0].image.height == size)
  }
}
