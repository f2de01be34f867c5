/// One progress report: `done` units of `total` (when known) of the work named `label`.
///
/// A label names one stream of reports (a file being converted, an epoch being trained): its
/// `done` grows until it reaches `total`, which is when that item is finished.
public struct ProgressUpdate: Sendable, Equatable {
  public var label: String
  public var done: Int
  public var total: Int?
  /// What is counted, plural ("frames", "videos"); empty when it goes without saying.
  public var unit: String
  /// A short note shown after the counts (a training loss, say); empty for none.
  public var detail: String
  /// True when each step is a whole item (a video, a file): every report is worth a line.
  public var perItem: Bool

  public init(
    label: String, done: Int, total: Int?, unit: String = "", detail: String = "", perItem: Bool = false
  ) {
    self.label = label
    self.done = done
    self.total = total
    self.unit = unit
    self.detail = detail
    self.perItem = perItem
  }

  /// Whether the item this stream counts is finished.
  public var isFinished: Bool { total.map { done >= $0 } ?? false }
}

/// Receives progress reports. The CLI draws them as a bar on a terminal, as lines elsewhere, or
/// drops them (`--quiet`); library code only reports.
public struct ProgressSink: Sendable {
  public let receive: @Sendable (ProgressUpdate) -> Void

  public init(receive: @escaping @Sendable (ProgressUpdate) -> Void) { self.receive = receive }

  /// A sink that only wants the label and the counts.
  public init(_ report: @escaping @Sendable (_ label: String, _ done: Int, _ total: Int?) -> Void) {
    receive = { report($0.label, $0.done, $0.total) }
  }

  public static let silent = ProgressSink(receive: { _ in })

  public func callAsFunction(
    _ label: String, _ done: Int, _ total: Int?, unit: String = "", detail: String = "", perItem: Bool = false
  ) {
    receive(
      ProgressUpdate(label: label, done: done, total: total, unit: unit, detail: detail, perItem: perItem))
  }
}
