import CFFmpeg
import Foundation
import Primitives

/// Encodes grey frames into a video file at a constant frame rate.
///
/// Frame `i` gets presentation time `i / frameRate`; every packet carries its duration, so players and
/// ffprobe see exactly `frameCount` frames, the requested rate and `frameCount / rate` seconds.
///
/// Size policy: H.264 and MPEG-4 Part 2 are written as yuv420p, which needs even dimensions. An odd width
/// or height is padded by one pixel that repeats the last column or row (148x141 is stored as 148x142);
/// `VideoWriteSummary.encodedWidth/encodedHeight` record the stored size. FFV1 stores GRAY8 at the exact
/// size. Chroma is neutral (128): B-mode is grey.
///
/// ```swift
/// let writer = try VideoWriter(url: out, width: 640, height: 480, options: VideoWriterOptions())
/// for image in images { try writer.append(image) }
/// let summary = try writer.finish()
/// ```
/// A writer dropped without `finish()` or `cancel()` leaves an unplayable partial file.
/// Not thread-safe: feed one writer from one thread.
public final class VideoWriter {
  /// The file being written.
  public let url: URL
  /// Encoding settings.
  public let options: VideoWriterOptions
  /// Width of the frames accepted.
  public let width: Int
  /// Height of the frames accepted.
  public let height: Int

  private let encodedWidth: Int
  private let encodedHeight: Int
  private var formatContext: UnsafeMutablePointer<AVFormatContext>?
  private var codecContext: UnsafeMutablePointer<AVCodecContext>?
  private var frame: UnsafeMutablePointer<AVFrame>?
  private var packet: UnsafeMutablePointer<AVPacket>?
  private var stream: UnsafeMutablePointer<AVStream>?
  private var framesWritten = 0
  private var packetsWritten = 0
  private var finished = false

  /// Creates `url` (replacing it) and writes the container header.
  public init(url: URL, width: Int, height: Int, options: VideoWriterOptions) throws {
    self.url = url
    self.options = options
    self.width = width
    self.height = height
    let path = url.path
    guard width > 0, height > 0, width <= 16384, height <= 16384 else {
      throw VideoError.invalidParameter(
        name: "frame size", value: "\(width)x\(height)", reason: "width and height must be 1–16384")
    }
    guard options.frameRate.isPositive, options.frameRate.doubleValue <= 1000 else {
      throw VideoError.invalidParameter(
        name: "frame rate", value: options.frameRate.description, reason: "must be positive and at most 1000")
    }
    let even = options.codec.needsEvenSize
    encodedWidth = even ? (width + 1) & ~1 : width
    encodedHeight = even ? (height + 1) & ~1 : height
    pleura_av_quiet()
    do {
      try open(path: path)
    } catch {
      release()
      try? FileManager.default.removeItem(at: url)
      throw error
    }
  }

  deinit { release() }

  /// Number of frames accepted so far.
  public var frameCount: Int { framesWritten }

  // MARK: - Setting up

  private func open(path: String) throws {
    let codec = options.codec
    guard let encoder = avcodec_find_encoder_by_name(codec.encoderName) else {
      throw VideoError.unsupportedCodec(file: path, codec: codec.encoderName)
    }
    var status = avformat_alloc_output_context2(&formatContext, nil, options.container.muxerName, path)
    guard status >= 0, let formatContext else {
      throw VideoError.cannotCreateOutput(file: path, reason: ffmpegErrorDescription(status))
    }
    guard let context = avcodec_alloc_context3(encoder), let stream = avformat_new_stream(formatContext, nil)
    else { throw VideoError.cannotCreateOutput(file: path, reason: "out of memory") }
    codecContext = context
    self.stream = stream

    context.pointee.width = Int32(encodedWidth)
    context.pointee.height = Int32(encodedHeight)
    context.pointee.pix_fmt = codec == .ffv1 ? AV_PIX_FMT_GRAY8 : AV_PIX_FMT_YUV420P
    context.pointee.time_base = Self.encoderTimeBase(rate: options.frameRate, codec: codec)
    context.pointee.framerate = options.frameRate.av
    context.pointee.sample_aspect_ratio = AVRational(num: 1, den: 1)
    context.pointee.thread_count = Int32(options.threads)
    if formatContext.pointee.oformat.pointee.flags & AVFMT_GLOBALHEADER != 0 {
      context.pointee.flags |= Int32(AV_CODEC_FLAG_GLOBAL_HEADER)
    }
    switch codec {
    case .h264(let crf, let preset):
      guard (0...51).contains(crf) else {
        throw VideoError.invalidParameter(name: "crf", value: "\(crf)", reason: "must be 0–51")
      }
      try Self.checkPreset(preset)
      try setOption("preset", preset, path: path)
      try setOption("crf", String(crf), path: path)
    case .h264Lossless(let preset):
      try Self.checkPreset(preset)
      try setOption("preset", preset, path: path)
      try setOption("qp", "0", path: path)
    case .mpeg4(let quality):
      guard (1...31).contains(quality) else {
        throw VideoError.invalidParameter(name: "mpeg4 quality", value: "\(quality)", reason: "must be 1–31")
      }
      context.pointee.flags |= Int32(AV_CODEC_FLAG_QSCALE)
      context.pointee.global_quality = Int32(quality) * FF_QP2LAMBDA
    case .ffv1:
      context.pointee.level = 3  // version 3: slices, coded in parallel, with CRCs
    }
    status = avcodec_open2(context, encoder, nil)
    guard status >= 0 else {
      throw VideoError.cannotCreateOutput(
        file: path, reason: "cannot open the \(codec.encoderName) encoder: \(ffmpegErrorDescription(status))")
    }
    status = avcodec_parameters_from_context(stream.pointee.codecpar, context)
    guard status >= 0 else {
      throw VideoError.cannotCreateOutput(file: path, reason: ffmpegErrorDescription(status))
    }
    stream.pointee.time_base = context.pointee.time_base
    stream.pointee.avg_frame_rate = options.frameRate.av
    stream.pointee.r_frame_rate = options.frameRate.av
    stream.pointee.sample_aspect_ratio = context.pointee.sample_aspect_ratio

    status = avio_open(&formatContext.pointee.pb, path, AVIO_FLAG_WRITE)
    guard status >= 0 else {
      throw VideoError.cannotCreateOutput(file: path, reason: ffmpegErrorDescription(status))
    }
    var muxerOptions: OpaquePointer?
    if options.container == .mp4 || options.container == .mov {
      av_dict_set(&muxerOptions, "movflags", "+faststart", 0)
    }
    status = avformat_write_header(formatContext, &muxerOptions)
    av_dict_free(&muxerOptions)
    guard status >= 0 else {
      throw VideoError.cannotCreateOutput(file: path, reason: ffmpegErrorDescription(status))
    }
    try allocateFrame(path: path)
    packet = av_packet_alloc()
  }

  /// 1/rate; MPEG-4 Part 2 allows denominators below 2^16 only, so a rate like 187000/9789 is approximated.
  private static func encoderTimeBase(rate: VideoRational, codec: VideoCodec) -> AVRational {
    var timeBase = rate.inverse.av
    if codec.encoderName == "mpeg4", timeBase.den > 65535 {
      var num: Int32 = 0
      var den: Int32 = 0
      av_reduce(&num, &den, Int64(timeBase.num), Int64(timeBase.den), 65535)
      timeBase = AVRational(num: num, den: den)
    }
    return timeBase
  }

  private static func checkPreset(_ preset: String) throws {
    guard VideoCodec.x264Presets.contains(preset) else {
      throw VideoError.invalidParameter(
        name: "x264 preset", value: preset,
        reason: "must be one of \(VideoCodec.x264Presets.joined(separator: ", "))")
    }
  }

  private func setOption(_ name: String, _ value: String, path: String) throws {
    let status = av_opt_set(codecContext?.pointee.priv_data, name, value, 0)
    guard status >= 0 else {
      throw VideoError.invalidParameter(
        name: "\(options.codec.encoderName) \(name)", value: value, reason: ffmpegErrorDescription(status))
    }
  }

  private func allocateFrame(path: String) throws {
    frame = av_frame_alloc()
    guard let frame else { throw VideoError.cannotCreateOutput(file: path, reason: "out of memory") }
    frame.pointee.width = Int32(encodedWidth)
    frame.pointee.height = Int32(encodedHeight)
    guard let codecContext else { throw VideoError.cannotCreateOutput(file: path, reason: "no encoder") }
    frame.pointee.format = codecContext.pointee.pix_fmt.rawValue
    let status = av_frame_get_buffer(frame, 0)
    guard status >= 0 else {
      throw VideoError.cannotCreateOutput(file: path, reason: ffmpegErrorDescription(status))
    }
    if codecContext.pointee.pix_fmt == AV_PIX_FMT_YUV420P {
      // Neutral chroma, set once: av_frame_make_writable copies it along whenever it reallocates.
      let chromaHeight = encodedHeight / 2
      guard let u = frame.pointee.data.1, let v = frame.pointee.data.2 else {
        throw VideoError.cannotCreateOutput(file: path, reason: "the frame has no chroma planes")
      }
      memset(u, 128, Int(frame.pointee.linesize.1) * chromaHeight)
      memset(v, 128, Int(frame.pointee.linesize.2) * chromaHeight)
    }
  }

  // MARK: - Writing

  /// Encodes one frame; its size must be the writer's `width` x `height`.
  public func append(_ image: GrayImage) throws {
    guard image.width == width, image.height == height else {
      throw VideoError.frameSizeMismatch(
        file: url.path, frame: framesWritten, expected: "\(width)x\(height)",
        got: "\(image.width)x\(image.height)")
    }
    try image.pixels.withUnsafeBufferPointer { try append(pixels: $0.address, stride: width) }
  }

  /// Encodes one frame from raw luma rows (`height` rows of `width` bytes, `stride` bytes apart).
  public func append(pixels: UnsafePointer<UInt8>, stride: Int) throws {
    guard !finished else {
      throw VideoError.encodeFailed(
        file: url.path, frame: framesWritten, reason: "the writer is already closed")
    }
    var status = av_frame_make_writable(frame)
    guard status >= 0, let frame, let luma = frame.pointee.data.0 else {
      throw VideoError.encodeFailed(
        file: url.path, frame: framesWritten, reason: ffmpegErrorDescription(status))
    }
    copyLuma(pixels, stride: stride, into: luma, lineSize: Int(frame.pointee.linesize.0))
    frame.pointee.pts = Int64(framesWritten)
    status = avcodec_send_frame(codecContext, frame)
    guard status >= 0 else {
      throw VideoError.encodeFailed(
        file: url.path, frame: framesWritten, reason: ffmpegErrorDescription(status))
    }
    framesWritten += 1
    try drainPackets()
  }

  /// Flushes the encoder, writes the container's index and closes the file. On failure the partial file is
  /// deleted.
  /// - Throws: `VideoError.encodeFailed` when nothing was written, when flushing or writing fails, or when
  ///   the writer was already finished or cancelled.
  @discardableResult
  public func finish() throws -> VideoWriteSummary {
    guard !finished else {
      throw VideoError.encodeFailed(
        file: url.path, frame: framesWritten, reason: "the writer is already closed")
    }
    finished = true
    let path = url.path
    if framesWritten == 0 {
      release()
      try? FileManager.default.removeItem(at: url)
      throw VideoError.encodeFailed(file: path, frame: 0, reason: "no frames were written")
    }
    do {
      avcodec_send_frame(codecContext, nil)
      try drainPackets()
      let status = av_write_trailer(formatContext)
      if let formatContext { avio_closep(&formatContext.pointee.pb) }
      guard status >= 0 else {
        throw VideoError.encodeFailed(
          file: path, frame: framesWritten, reason: ffmpegErrorDescription(status))
      }
    } catch {
      release()
      try? FileManager.default.removeItem(at: url)
      throw error
    }
    let summary = VideoWriteSummary(
      width: width, height: height, encodedWidth: encodedWidth, encodedHeight: encodedHeight,
      frameRate: options.frameRate, frameCount: framesWritten,
      duration: Double(framesWritten) / options.frameRate.doubleValue,
      codecName: options.codec.codecName, container: options.container)
    release()
    return summary
  }

  /// Abandons the file: frees the encoder and deletes what was written so far. Does nothing after `finish()`.
  public func cancel() {
    guard !finished else { return }
    finished = true
    release()
    try? FileManager.default.removeItem(at: url)
  }

  private func copyLuma(
    _ pixels: UnsafePointer<UInt8>, stride: Int, into destination: UnsafeMutablePointer<UInt8>, lineSize: Int
  ) {
    for row in 0..<height {
      let target = destination + row * lineSize
      target.update(from: pixels + row * stride, count: width)
      if encodedWidth > width { target[width] = target[width - 1] }
    }
    if encodedHeight > height {
      (destination + height * lineSize).update(
        from: destination + (height - 1) * lineSize, count: encodedWidth)
    }
  }

  private func drainPackets() throws {
    let eagain = pleura_averror_eagain()
    let eof = pleura_averror_eof()
    while true {
      let status = avcodec_receive_packet(codecContext, packet)
      if status == eagain || status == eof { return }
      guard status >= 0 else {
        throw VideoError.encodeFailed(
          file: url.path, frame: packetsWritten, reason: ffmpegErrorDescription(status))
      }
      guard let packet, let codecContext, let stream else {
        throw VideoError.encodeFailed(file: url.path, frame: packetsWritten, reason: "the writer is closed")
      }
      // libx264 leaves durations unset; the muxer needs them for the last frame's length.
      if packet.pointee.duration <= 0 { packet.pointee.duration = 1 }
      av_packet_rescale_ts(packet, codecContext.pointee.time_base, stream.pointee.time_base)
      packet.pointee.stream_index = stream.pointee.index
      let written = av_interleaved_write_frame(formatContext, packet)
      guard written >= 0 else {
        throw VideoError.encodeFailed(
          file: url.path, frame: packetsWritten, reason: ffmpegErrorDescription(written))
      }
      packetsWritten += 1
    }
  }

  private func release() {
    av_frame_free(&frame)
    av_packet_free(&packet)
    avcodec_free_context(&codecContext)
    if let formatContext, formatContext.pointee.pb != nil {
      avio_closep(&formatContext.pointee.pb)
    }
    avformat_free_context(formatContext)
    formatContext = nil
  }
}
