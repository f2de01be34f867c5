import Foundation

/// Turns progress reports into text with a rate and the time left: a line now and then for a log
/// or a pipe, or a bar redrawn in place on a terminal.
///
/// Each label is one stream; its clock starts at its first report (again when `done` goes back
/// down). Lines are due for every report of a per-item stream, when a stream finishes, and
/// otherwise once `interval` seconds have passed since the last line.
public final class ProgressMeter: @unchecked Sendable {
  struct Stream {
    var startDone: Int
    var startTime: Double
    var lastDone: Int
    var finishedShown = false
  }

  private let interval: Double
  private let now: @Sendable () -> Double
  private let lock = NSLock()
  private var streams: [String: Stream] = [:]
  /// When the last line was written; the meter's creation counts as one, so a quick item
  /// prints only its finish.
  private var lastLine: Double

  /// - Parameter now: seconds on a monotonic clock (injected by tests).
  public init(interval: Double = 5, now: @escaping @Sendable () -> Double = ProgressMeter.monotonicSeconds) {
    self.interval = interval
    self.now = now
    lastLine = now()
  }

  public static func monotonicSeconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

  /// The line to write for this report now, or nil when none is due.
  public func line(for update: ProgressUpdate) -> String? {
    lock.withLock {
      let time = now()
      var stream = track(update, at: time)
      defer { streams[update.label] = stream }
      let finished = update.isFinished && !stream.finishedShown
      let due = finished || (update.perItem && update.done > 0) || time - lastLine >= interval
      guard due, update.done > 0 || finished else { return nil }
      if update.isFinished { stream.finishedShown = true }
      lastLine = time
      return Self.text(update, stream: stream, at: time)
    }
  }

  /// The bar to draw for this report: `label [####......] done/total unit, rate, time left`.
  public func bar(for update: ProgressUpdate, width: Int = 24) -> String {
    lock.withLock {
      let time = now()
      let stream = track(update, at: time)
      streams[update.label] = stream
      var text = update.label
      if let total = update.total, total > 0 {
        let filled = min(width, update.done * width / total)
        text +=
          " [" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]"
      }
      return text + " " + Self.counts(update, stream: stream, at: time)
    }
  }

  private func track(_ update: ProgressUpdate, at time: Double) -> Stream {
    if var stream = streams[update.label], update.done >= stream.lastDone {
      stream.lastDone = update.done
      return stream
    }
    return Stream(startDone: update.done, startTime: time, lastDone: update.done)
  }

  static func text(_ update: ProgressUpdate, stream: Stream, at time: Double) -> String {
    "\(update.label): " + counts(update, stream: stream, at: time)
  }

  /// "12/40 frames, 3.1 frames/s, about 9 s left" while running; "40/40 frames in 13 s, 3.1 frames/s"
  /// when finished.
  static func counts(_ update: ProgressUpdate, stream: Stream, at time: Double) -> String {
    let unit = update.unit.isEmpty ? "" : " " + update.unit
    let elapsed = time - stream.startTime
    let rate =
      elapsed > 0 && update.done > stream.startDone ? Double(update.done - stream.startDone) / elapsed : nil
    let rateText =
      rate.map { ", " + number($0) + (update.unit.isEmpty ? "" : " " + update.unit) + "/s" } ?? ""
    var text = "\(update.done)" + (update.total.map { "/\($0)" } ?? "") + unit
    if update.isFinished {
      text += " in " + duration(elapsed) + rateText
    } else {
      text += rateText
      if let total = update.total, let rate, rate > 0 {
        text += ", about " + duration(Double(total - update.done) / rate) + " left"
      }
    }
    return update.detail.isEmpty ? text : text + "; " + update.detail
  }

  static func number(_ value: Double) -> String {
    value >= 10 ? String(format: "%.0f", value) : String(format: "%.2g", value)
  }

  /// "0.4 s", "42 s", "4:05 min", "1:02:03 h".
  public static func duration(_ seconds: Double) -> String {
    guard seconds.isFinite, seconds >= 0 else { return "?" }
    if seconds < 10 { return String(format: "%.1f s", seconds) }
    let whole = Int(seconds.rounded())
    if whole < 60 { return "\(whole) s" }
    if whole < 3600 { return String(format: "%d:%02d min", whole / 60, whole % 60) }
    return String(format: "%d:%02d:%02d h", whole / 3600, whole / 60 % 60, whole % 60)
  }
}
