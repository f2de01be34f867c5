import Foundation

/// The decoding side of `Transcoder`: decodes, converts the frame rate, scales, and queues output frames.
///
/// Runs on its own thread. It takes over the decoder, which the caller must not touch afterwards; that
/// hand-over is why it is `@unchecked Sendable`. The caller reads only `queue` and, after
/// `waitUntilDone()`, `framesDecoded`.
final class TranscodeProducer: @unchecked Sendable {
  enum Item {
    case frame(GrayImage)
    case failed(Error)
  }

  /// A source frame waiting in the frame-rate converter.
  private struct Source {
    let index: Int
    let image: GrayImage
  }

  let queue: BlockingQueue<Item>
  private let decoder: any VideoFrameDecoder
  private let scaler: GrayScaler
  private var converter: FrameRateConverter<Source>
  private let done = DispatchSemaphore(value: 0)
  private var joined = false
  private var scaled: (index: Int, image: GrayImage)?
  private(set) var framesDecoded = 0

  init(decoder: any VideoFrameDecoder, options: TranscodeOptions, capacity: Int) {
    self.decoder = decoder
    self.scaler = GrayScaler(width: options.width, height: options.height, mode: options.scaling)
    self.converter = FrameRateConverter(outputRate: options.frameRate)
    self.queue = BlockingQueue(capacity: capacity)
  }

  func start() {
    let thread = Thread { [self] in
      run()
      done.signal()
    }
    thread.name = "pleura.transcode.decode"
    thread.start()
  }

  /// Blocks until the producer thread has ended (safe to call more than once, from the caller's thread).
  func waitUntilDone() {
    if joined { return }
    done.wait()
    joined = true
  }

  private func run() {
    defer { queue.close() }
    do {
      var last: DecodedFrame?
      while let frame = try decoder.nextFrame() {
        framesDecoded = frame.index + 1
        last = frame
        let source = Source(index: frame.index, image: frame.image)
        for (_, kept) in converter.push(source, pts: frame.pts, timeBase: frame.timeBase) {
          guard try emit(kept) else { return }
        }
      }
      guard let last else { return }
      for (_, kept) in converter.finish(endPts: last.pts + last.duration, timeBase: last.timeBase) {
        guard try emit(kept) else { return }
      }
    } catch {
      queue.push(.failed(error))
    }
  }

  /// Scales (once per source frame, so repeats cost nothing) and queues a kept frame; false when the
  /// consumer gave up.
  private func emit(_ source: Source) throws -> Bool {
    if let scaled, scaled.index == source.index { return queue.push(.frame(scaled.image)) }
    let image = try scaler.scale(source.image)
    scaled = (source.index, image)
    return queue.push(.frame(image))
  }
}
