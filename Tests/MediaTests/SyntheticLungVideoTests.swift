import Foundation
import Media
import Testing

@Suite struct SyntheticLungVideoTests {
  /// Statistic: on the decoded video's M-mode through the middle of the ROI, the mean temporal variance of
  /// the rows 10–120 px below the pleural line divided by that of the soft tissue above it (rows pleuraY/4
  /// to pleuraY − 10). Sliding present puts moving speckle below the line, so the ratio is high; absent, both
  /// regions vary only with chest motion and noise. Threshold: 2.2, about the geometric middle of what was
  /// measured on these eight videos (present 5.5–37, absent 0.65–0.92).
  static let ratioThreshold = 2.2

  @Test func mModeVarianceRatioSeparatesSlidingWhileBrightnessDoesNot() throws {
    let fixtures = try Fixtures()
    defer { fixtures.remove() }
    var separation = SlidingSeparation()
    for i in 0..<8 {
      let sliding: LungSliding = i % 2 == 0 ? .present : .absent
      let video = try SyntheticLungVideo(
        parameters: .init(
          duration: 2, sliding: sliding, seed: UInt64(100 + i), patient: .random(seed: UInt64(40 + i))))
      let container: VideoContainer = i % 4 < 2 ? .mp4 : .avi
      let url = fixtures.url("synthetic-\(i).\(container.fileExtension)")
      try video.write(to: url, container: container)
      let frames = try Fixtures.decodeAll(url).map(\.image)
      #expect(frames.count == 60)
      let p = video.pleuraY
      try separation.add(video, decoded: frames, below: (p + 10)..<(p + 120), above: (p / 4)..<(p - 10))
    }
    separation.expectSeparated(threshold: Self.ratioThreshold)
  }

  @Test func sameSeedGivesTheSameDecodedFrames() throws {
    let fixtures = try Fixtures()
    defer { fixtures.remove() }
    let parameters = SyntheticLungVideo.Parameters(
      width: 160, height: 120, duration: 0.5, sliding: .present, seed: 9, patient: .random(seed: 2))
    let first = fixtures.url("a.mp4")
    let second = fixtures.url("b.mp4")
    try SyntheticLungVideo(parameters: parameters).write(to: first)
    try SyntheticLungVideo(parameters: parameters).write(to: second)
    let a = try Fixtures.decodeAll(first).map(\.image)
    let b = try Fixtures.decodeAll(second).map(\.image)
    #expect(a.count == 15 && a == b)
    var other = parameters
    other.seed = 10
    #expect(
      try SyntheticLungVideo(parameters: other).frame(3)
        != SyntheticLungVideo(parameters: parameters).frame(3))
  }

  @Test(arguments: [(854, 54, VideoContainer.avi), (640, 30, .mp4)])
  func writesTheStudysSizesRatesAndContainers(width: Int, fps: Int, container: VideoContainer) throws {
    let fixtures = try Fixtures()
    defer { fixtures.remove() }
    let video = try SyntheticLungVideo(
      parameters: .init(
        width: width, height: 480, frameRate: VideoRational(integer: fps), duration: 0.5, sliding: .absent,
        seed: 3))
    let url = fixtures.url("study.\(container.fileExtension)")
    let summary = try video.write(to: url, container: container)
    #expect(summary.frameCount == video.frameCount)
    let decoder = try VideoDecoder(url: url)
    #expect(decoder.info.width == width && decoder.info.height == 480)
    #expect(decoder.info.frameRate == VideoRational(integer: fps))
    #expect(decoder.info.codecName == (container == .avi ? "mpeg4" : "h264"))
  }

  @Test(arguments: [(854, 480), (640, 480), (200, 150)])
  func roiIsTheIntercostalSpaceFromJustAboveThePleura(width: Int, height: Int) throws {
    let video = try SyntheticLungVideo(
      parameters: .init(width: width, height: height, sliding: .present, seed: 4, patient: .random(seed: 8)))
    let roi = video.roi
    #expect(roi.x > 0 && roi.x + roi.width < width && roi.y + roi.height == height)
    #expect(roi.y < video.pleuraY && video.pleuraY - roi.y < height / 10)
    let frame = video.frame(0)
    // The pleural line is the brightest row band inside the ROI; the rib shadows beside the ROI are dark.
    let rowMean = { (y: Int) in (roi.x..<(roi.x + roi.width)).map { Double(frame[$0, y]) }.reduce(0, +) }
    let brightest = (roi.y..<(roi.y + roi.height / 3)).max { rowMean($0) < rowMean($1) }!
    #expect(abs(brightest - video.pleuraY) <= 3)
    let shadow = (video.pleuraY + 20..<height).map { Double(frame[roi.x - 12, $0]) }
    #expect(shadow.reduce(0, +) / Double(shadow.count) < 30)
  }

  @Test func studyVarietyCoversSizesRatesContainersAndDurations() {
    let patient = SyntheticPatientProfile.random(seed: 1)
    let draws = (0..<64).map {
      SyntheticLungVideo.Parameters.studyVariety(sliding: .present, seed: UInt64($0), patient: patient)
    }
    #expect(Set(draws.map(\.parameters.width)) == [854, 640])
    #expect(
      Set(draws.map(\.parameters.frameRate)) == [VideoRational(integer: 30), VideoRational(integer: 54)])
    #expect(Set(draws.map(\.container)) == [.mp4, .avi])
    #expect(draws.allSatisfy { (2...18).contains($0.parameters.duration) && $0.parameters.height == 480 })
    let again = SyntheticLungVideo.Parameters.studyVariety(sliding: .present, seed: 5, patient: patient)
    #expect(again.parameters == draws[5].parameters && again.container == draws[5].container)
  }

  @Test func rejectsUnusableParameters() {
    #expect(throws: VideoError.self) { try SyntheticLungVideo(parameters: .init(width: 10, height: 10)) }
    #expect(throws: VideoError.self) { try SyntheticLungVideo(parameters: .init(duration: 0)) }
  }
}
