import Foundation
import Testing

@testable import Platform

/// Progress lines for a log or a pipe, on a clock the test sets.
@Suite struct ProgressMeterTests {
  final class Clock: @unchecked Sendable {
    var seconds = 100.0
  }

  func meter(_ clock: Clock, interval: Double = 5) -> ProgressMeter {
    ProgressMeter(interval: interval, now: { clock.seconds })
  }

  @Test func aFinishedItemGetsOneLineWithItsRateAndOnlyOne() {
    let clock = Clock()
    let meter = meter(clock)
    #expect(
      meter.line(for: ProgressUpdate(label: "transcode a.mp4", done: 0, total: 60, unit: "frames")) == nil)
    clock.seconds += 1
    #expect(
      meter.line(for: ProgressUpdate(label: "transcode a.mp4", done: 30, total: 60, unit: "frames")) == nil)
    clock.seconds += 1
    let done = ProgressUpdate(label: "transcode a.mp4", done: 60, total: 60, unit: "frames")
    #expect(meter.line(for: done) == "transcode a.mp4: 60/60 frames in 2.0 s, 30 frames/s")
    #expect(meter.line(for: done) == nil, "a second report of the same finish")
  }

  @Test func betweenFinishesALineComesEveryInterval() {
    let clock = Clock()
    let meter = meter(clock, interval: 5)
    let update = { (done: Int) in ProgressUpdate(label: "evaluate", done: done, total: 100, unit: "cubes") }
    _ = meter.line(for: update(0))
    clock.seconds += 6
    #expect(meter.line(for: update(30)) == "evaluate: 30/100 cubes, 5 cubes/s, about 14 s left")
    clock.seconds += 2
    #expect(meter.line(for: update(40)) == nil)
    clock.seconds += 4
    #expect(meter.line(for: update(60)) != nil)
  }

  @Test func perItemStreamsSayEveryStepWithTheTimeLeftAndADetail() {
    let clock = Clock()
    let meter = meter(clock)
    let update = { (done: Int) in
      ProgressUpdate(label: "ingest", done: done, total: 4, unit: "files", detail: "P1", perItem: true)
    }
    #expect(meter.line(for: update(0)) == nil, "nothing is done yet")
    clock.seconds += 2
    #expect(meter.line(for: update(1)) == "ingest: 1/4 files, 0.5 files/s, about 6.0 s left; P1")
    clock.seconds += 2
    #expect(meter.line(for: update(2)) == "ingest: 2/4 files, 0.5 files/s, about 4.0 s left; P1")
  }

  @Test func aStreamThatStartsAgainHasAFreshClock() {
    let clock = Clock()
    let meter = meter(clock)
    let update = { (done: Int) in ProgressUpdate(label: "tile", done: done, total: 2, unit: "conversions") }
    _ = meter.line(for: update(0))
    clock.seconds += 100
    #expect(meter.line(for: update(2)) == "tile: 2/2 conversions in 1:40 min, 0.02 conversions/s")
    _ = meter.line(for: update(0))
    clock.seconds += 4
    #expect(meter.line(for: update(2)) == "tile: 2/2 conversions in 4.0 s, 0.5 conversions/s")
  }

  @Test func theBarShowsTheShareDone() {
    let clock = Clock()
    let meter = meter(clock)
    _ = meter.bar(for: ProgressUpdate(label: "verify", done: 0, total: 8, unit: "blobs"), width: 8)
    clock.seconds += 1
    #expect(
      meter.bar(for: ProgressUpdate(label: "verify", done: 2, total: 8, unit: "blobs"), width: 8)
        == "verify [##......] 2/8 blobs, 2 blobs/s, about 3.0 s left")
  }

  @Test func durationsReadAsAPersonWouldSayThem() {
    #expect(ProgressMeter.duration(0.42) == "0.4 s")
    #expect(ProgressMeter.duration(42) == "42 s")
    #expect(ProgressMeter.duration(245) == "4:05 min")
    #expect(ProgressMeter.duration(3723) == "1:02:03 h")
    #expect(ProgressMeter.duration(.infinity) == "?")
  }
}
