import CFFmpeg

/// Converts a stream of timed frames to a constant frame rate exactly as FFmpeg's `fps` filter does
/// (default `round=near`, `eof_action=round`): each input frame's time is rounded to the nearest output
/// slot; a frame whose successor lands in the same slot is dropped, and a frame is repeated until its
/// successor's slot comes. The first output slot is the first frame's rounded time; the last slot ends at
/// the rounded end time of the last frame (its pts plus its duration).
///
/// So an input of duration `D` seconds yields `round(D × rate)` frames at exactly `rate`.
///
/// ```swift
/// var converter = FrameRateConverter<GrayImage>(outputRate: VideoRational(30, 1))
/// var last: DecodedFrame?
/// while let frame = try decoder.nextFrame() {
///   for (index, image) in converter.push(frame.image, pts: frame.pts, timeBase: frame.timeBase) { ... }
///   last = frame
/// }
/// if let last {
///   for (index, image) in converter.finish(endPts: last.pts + last.duration, timeBase: last.timeBase) { ... }
/// }
/// ```
public struct FrameRateConverter<Payload> {
  /// The constant output rate.
  public let outputRate: VideoRational
  private var pending: [(slot: Int64, payload: Payload)] = []
  private var nextSlot: Int64?
  private var firstSlot: Int64?

  /// A converter to `outputRate` frames per second.
  public init(outputRate: VideoRational) {
    precondition(outputRate.isPositive, "output rate must be positive")
    self.outputRate = outputRate
  }

  /// Output frames emitted so far.
  public var emittedCount: Int {
    guard let nextSlot, let firstSlot else { return 0 }
    return Int(nextSlot - firstSlot)
  }

  /// The output slot nearest to `pts` (in `timeBase` units), halves rounded away from zero.
  public func slot(pts: Int64, timeBase: VideoRational) -> Int64 {
    let rounding = AVRounding(rawValue: AV_ROUND_NEAR_INF.rawValue | AV_ROUND_PASS_MINMAX.rawValue)
    return av_rescale_q_rnd(pts, timeBase.av, outputRate.inverse.av, rounding)
  }

  /// Takes the next input frame; returns the output frames it settles, as (output index, payload).
  public mutating func push(_ payload: Payload, pts: Int64, timeBase: VideoRational) -> [(Int, Payload)] {
    let slot = slot(pts: pts, timeBase: timeBase)
    if nextSlot == nil {
      nextSlot = slot
      firstSlot = slot
    }
    pending.append((slot, payload))
    var output: [(Int, Payload)] = []
    emit(until: nil, into: &output)
    return output
  }

  /// Ends the stream at `endPts` (the last frame's pts plus duration); returns the remaining output frames.
  public mutating func finish(endPts: Int64, timeBase: VideoRational) -> [(Int, Payload)] {
    var output: [(Int, Payload)] = []
    guard nextSlot != nil else { return output }
    emit(until: slot(pts: endPts, timeBase: timeBase), into: &output)
    pending.removeAll()
    return output
  }

  /// The `fps` filter's write loop: with two frames pending, drop the first if the second's slot has come,
  /// else emit the first at the next slot; at the end, emit the last frame until the end slot.
  private mutating func emit(until endSlot: Int64?, into output: inout [(Int, Payload)]) {
    guard var next = nextSlot, let first = firstSlot else { return }
    while let head = pending.first {
      if pending.count >= 2 {
        if pending[1].slot <= next {
          pending.removeFirst()
          continue
        }
      } else {
        guard let endSlot, next < endSlot else { break }
      }
      output.append((Int(next - first), head.payload))
      next += 1
    }
    nextSlot = next
  }
}
