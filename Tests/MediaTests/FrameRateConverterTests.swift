import Media
import Testing

/// Expected output → source mapping of FFmpeg's fps filter, computed independently: output slot j shows the
/// last source frame whose rounded time is ≤ j (frames sharing a slot: the later one wins).
private func fpsFilterReference(times: [Double], end: Double, rate: Double) -> [Int] {
  let slots = times.map { ($0 * rate).rounded(.toNearestOrAwayFromZero) }
  let first = slots[0]
  let endSlot = (end * rate).rounded(.toNearestOrAwayFromZero)
  var result: [Int] = []
  var slot = first
  while slot < endSlot {
    result.append(slots.lastIndex(where: { $0 <= slot })!)
    slot += 1
  }
  return result
}

@Suite struct FrameRateConverterTests {
  @Test(arguments: [
    (54, 1), (25, 1), (187_000, 9_789), (89, 4), (30, 1), (60, 1), (24_000, 1_001),
  ])
  func constantRateInputGivesRoundedDurationTimesRate(numerator: Int, denominator: Int) {
    let input = VideoRational(numerator, denominator)
    let timeBase = input.inverse
    let frames = 97
    var converter = FrameRateConverter<Int>(outputRate: VideoRational(30, 1))
    var output: [(Int, Int)] = []
    for i in 0..<frames { output += converter.push(i, pts: Int64(i), timeBase: timeBase) }
    output += converter.finish(endPts: Int64(frames), timeBase: timeBase)
    let duration = Double(frames) / input.doubleValue
    #expect(output.count == Int((duration * 30).rounded()))
    #expect(output.map(\.0) == Array(0..<output.count))
    let times = (0..<frames).map { Double($0) / input.doubleValue }
    #expect(output.map(\.1) == fpsFilterReference(times: times, end: duration, rate: 30))
  }

  @Test func variableRateInputFollowsTimestamps() {
    // Irregular gaps in a 1/1000 time base: bursts, a long pause, jitter.
    let pts: [Int64] = [0, 10, 20, 30, 100, 140, 500, 520, 533, 600, 640, 700, 990]
    let timeBase = VideoRational(1, 1000)
    var converter = FrameRateConverter<Int>(outputRate: VideoRational(30, 1))
    var output: [(Int, Int)] = []
    for (i, p) in pts.enumerated() { output += converter.push(i, pts: p, timeBase: timeBase) }
    output += converter.finish(endPts: 1000, timeBase: timeBase)
    #expect(output.count == 30)
    let reference = fpsFilterReference(times: pts.map { Double($0) / 1000 }, end: 1, rate: 30)
    #expect(output.map(\.1) == reference)
  }
}
