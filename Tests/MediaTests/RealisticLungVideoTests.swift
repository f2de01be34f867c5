import Foundation
import Media
import Primitives
import Testing

/// The realistic style of the generator: still learnable for the right reason, reproducible, and its truth
/// (ROI, image region, overlays) consistent with its pictures.
@Suite struct RealisticLungVideoTests {
  static func video(
    _ i: Int, width: Int = 320, height: Int = 240, seconds: Double = 2, probe: SyntheticLungVideo.Probe? = nil
  ) throws -> SyntheticLungVideo {
    try SyntheticLungVideo(
      parameters: .init(
        width: width, height: height, duration: seconds, sliding: i % 2 == 0 ? .present : .absent,
        seed: UInt64(200 + i), patient: .random(seed: UInt64(60 + i)), style: .realistic,
        probe: probe ?? (i % 4 < 2 ? .linear : .convex)))
  }

  /// The classic test's statistic at half the size (rows 5–60 px below the pleura against pleuraY/4 to
  /// pleuraY − 5 above it), on both probes. Measured on these eight videos: present 2.0–16, absent
  /// 0.23–1.12 (on 24: present 2.0–16, absent 0.17–1.12); threshold 1.5, about the geometric middle of
  /// the closest pair. The chest wall's drifting texture, bright fascia lines and the wandering probe make
  /// the realistic videos' margin narrower than the classic ones'.
  static let ratioThreshold = 1.5

  @Test func mModeVarianceRatioSeparatesSlidingWhileBrightnessDoesNot() throws {
    let fixtures = try Fixtures()
    defer { fixtures.remove() }
    var separation = SlidingSeparation()
    for i in 0..<8 {
      let video = try Self.video(i)
      let url = fixtures.url("realistic-\(i).mp4")
      try video.write(to: url, container: .mp4)
      let frames = try Fixtures.decodeAll(url).map(\.image)
      #expect(frames.count == 60)
      let p = video.pleuraY
      try separation.add(video, decoded: frames, below: (p + 5)..<min(240, p + 60), above: (p / 4)..<(p - 5))
    }
    separation.expectSeparated(threshold: Self.ratioThreshold)
  }

  @Test func sameSeedGivesTheSameFramesAndAnotherSeedOthers() throws {
    let a = try Self.video(3, width: 200, height: 160, seconds: 0.3)
    let b = try Self.video(3, width: 200, height: 160, seconds: 0.3)
    #expect((0..<a.frameCount).allSatisfy { a.frame($0) == b.frame($0) })
    #expect(a.roi == b.roi && a.validRegion == b.validRegion)
    var other = a.parameters
    other.seed += 1
    #expect(try SyntheticLungVideo(parameters: other).frame(2) != a.frame(2))
  }

  /// The classic style is synthesize 1.0.0's generator: this frame's bytes were its output (FNV-1a of
  /// frame 3; the same files came out of 1.0.0 and of `--style classic` for 640-pixel-wide videos).
  @Test func classicFramesAreSynthesizeOneOhOhs() throws {
    let video = try SyntheticLungVideo(
      parameters: .init(
        width: 160, height: 120, duration: 0.5, sliding: .present, seed: 9, patient: .random(seed: 2)))
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in video.frame(3).pixels {
      hash ^= UInt64(byte)
      hash = hash &* 0x100_0000_01b3
    }
    #expect(hash == Self.classicFrameHash, "classic frame hash \(String(hash, radix: 16))")
    #expect(video.probe == .linear && video.validRegion.count == 160 * 120 && video.caliperRow == nil)
  }

  static let classicFrameHash: UInt64 = 0x81c7_fca4_d041_7e5a

  @Test(arguments: [SyntheticLungVideo.Probe.linear, .convex])
  func truthLiesInsideTheImageAndTheOverlayNeverChanges(probe: SyntheticLungVideo.Probe) throws {
    for i in 0..<6 {
      let video = try Self.video(i, width: 256, height: 224, seconds: 0.2, probe: probe)
      #expect(video.probe == probe)
      #expect(video.validRegion.outsideFraction(of: video.roi) <= 0.02, "seed \(i): ROI \(video.roi) strays")
      #expect(video.roi.y < video.pleuraY && video.pleuraY < video.roi.maxY)
      let (first, last) = (video.frame(0), video.frame(video.frameCount - 1))
      // Outside the image region only the overlay is drawn, and it is the same in every frame.
      for index in 0..<(256 * 224) where !video.validRegion.bits[index] {
        #expect(first.pixels[index] == last.pixels[index])
      }
      if probe == .convex {
        #expect(
          !video.validRegion[0, 223] && !video.validRegion[255, 223],
          "a sector leaves the lower corners black")
      }
      if let row = video.caliperRow {
        let bright = (0..<256).filter { first[$0, row] >= 200 && first[$0, row] == last[$0, row] }
        #expect(bright.count >= 10, "the caliper line is drawn and does not change")
      }
    }
  }

  @Test func synthesizeDrawsRealisticVideosUnlessAskedForClassicOnes() throws {
    var parameters = SynthesizePlugin.Parameters()
    parameters.patients = 4
    #expect(SynthesizePlugin.plan(parameters).allSatisfy { $0.parameters.style == .realistic })
    parameters.style = "classic"
    #expect(SynthesizePlugin.plan(parameters).allSatisfy { $0.parameters.style == .classic })
    parameters.style = "realistic"
    parameters.probe = "convex"
    #expect(SynthesizePlugin.plan(parameters).allSatisfy { $0.parameters.probe == .convex })
  }
}
