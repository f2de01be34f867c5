import Foundation

/// Converts a video to a constant-rate grey video of a given size and codec.
///
/// Decoding, frame-rate conversion and scaling run on a producer thread, encoding on the calling thread,
/// with a small queue between them; libavcodec adds its own decoder and encoder threads. Only luma is kept:
/// B-mode is grey, and the output carries neutral chroma.
///
/// ```swift
/// let result = try Transcoder.transcode(input: source, output: target, options: TranscodeOptions()) {
///   print("\($0.framesDone)/\($0.estimatedTotal)")
/// }
/// print(result.output.frameCount, result.output.frameRate)
/// ```
public enum Transcoder {
  /// Frames buffered between the decoding and the encoding side.
  static let queueCapacity = 8

  /// Converts `input` into `output` (replaced if present); a failed conversion leaves no output file.
  /// - Parameter progress: called on the calling thread after each output frame. To cancel, throw from it
  ///   (e.g. `CancellationError()`): the conversion stops, removes the output and rethrows that error.
  /// - Throws: `VideoError`, naming the input file and the frame for decoding failures.
  @discardableResult
  public static func transcode(
    input: URL, output: URL, options: TranscodeOptions = TranscodeOptions(),
    progress: ((TranscodeProgress) throws -> Void)? = nil
  ) throws -> TranscodeResult {
    guard options.frameRate.isPositive else {
      throw VideoError.invalidParameter(
        name: "frame rate", value: options.frameRate.description, reason: "must be positive")
    }
    guard options.width > 0, options.height > 0 else {
      throw VideoError.invalidParameter(
        name: "output size", value: "\(options.width)x\(options.height)", reason: "must be positive")
    }
    guard input.standardizedFileURL.path != output.standardizedFileURL.path else {
      throw VideoError.invalidParameter(
        name: "output", value: output.path, reason: "is the input file; converting in place is not possible")
    }
    let decoder = try VideoDecoders.open(input, threads: options.threads)
    let info = decoder.info
    let estimate = Int((info.duration * options.frameRate.doubleValue).rounded())
    let writer = try VideoWriter(
      url: output, width: options.width, height: options.height, options: options.writerOptions)

    let producer = TranscodeProducer(decoder: decoder, options: options, capacity: queueCapacity)
    producer.start()
    do {
      while let item = producer.queue.pop() {
        switch item {
        case .frame(let image):
          try writer.append(image)
          try progress?(TranscodeProgress(framesDone: writer.frameCount, estimatedTotal: estimate))
        case .failed(let error):
          throw error
        }
      }
      producer.waitUntilDone()
      let summary = try writer.finish()
      return TranscodeResult(source: info, sourceFrameCount: producer.framesDecoded, output: summary)
    } catch {
      producer.queue.cancel()
      producer.waitUntilDone()
      writer.cancel()
      try? FileManager.default.removeItem(at: output)
      throw error
    }
  }
}
