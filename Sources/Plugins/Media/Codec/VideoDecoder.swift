import CFFmpeg
import Foundation

/// Decodes any video FFmpeg can demux (MP4/MOV, AVI, MPEG-PS, Matroska, GIF; H.264, HEVC, MPEG-4 Part 2,
/// MJPEG, MPEG-2, ...) into grey frames with presentation times, in order, one at a time.
///
/// Frame-threaded: libavcodec decodes several frames at once on its own threads.
///
/// ```swift
/// let decoder = try VideoDecoder(url: clip)
/// while let frame = try decoder.nextFrame() {
///   print(frame.index, frame.seconds, frame.image.meanBrightness)
/// }
/// ```
///
/// A source that stops part-way throws `VideoError.decodeFailed` or `.truncated` naming the frame
/// number where decoding broke, after handing out every frame before it.
/// Not thread-safe: use one decoder from one thread at a time.
public final class VideoDecoder: VideoFrameDecoder {
  /// The file being decoded.
  public let url: URL
  /// What the container says about the stream.
  public let info: VideoStreamInfo

  private var formatContext: UnsafeMutablePointer<AVFormatContext>?
  private var codecContext: UnsafeMutablePointer<AVCodecContext>?
  private var packet: UnsafeMutablePointer<AVPacket>?
  private var frame: UnsafeMutablePointer<AVFrame>?
  private let streamIndex: Int32
  private let startPts: Int64
  private let nominalFrameDuration: Int64
  private let luma = LumaExtractor()
  private var state = State.reading
  private var decodedCount = 0
  private var packetsRead = 0
  private var lastPts: Int64?

  private enum State { case reading, draining, finished }

  /// Opens `url` and its best video stream.
  /// - Parameter threads: decoder threads; 0 lets libavcodec choose (one per core, plus one).
  public init(url: URL, threads: Int = 0) throws {
    self.url = url
    let path = url.path
    pleura_av_quiet()

    var format: UnsafeMutablePointer<AVFormatContext>?
    var status = avformat_open_input(&format, path, nil, nil)
    guard status >= 0, let format else {
      throw VideoError.cannotOpen(file: path, reason: ffmpegErrorDescription(status))
    }
    formatContext = format
    status = avformat_find_stream_info(format, nil)
    if status < 0 {
      avformat_close_input(&formatContext)
      throw VideoError.cannotOpen(file: path, reason: ffmpegErrorDescription(status))
    }
    let index = av_find_best_stream(format, AVMEDIA_TYPE_VIDEO, -1, -1, nil, 0)
    guard index >= 0, let stream = format.pointee.streams[Int(index)] else {
      avformat_close_input(&formatContext)
      throw VideoError.noVideoStream(file: path)
    }
    streamIndex = index
    guard let parameters = stream.pointee.codecpar else {
      avformat_close_input(&formatContext)
      throw VideoError.noVideoStream(file: path)
    }
    let codecName = String(cString: avcodec_get_name(parameters.pointee.codec_id))
    guard let codec = avcodec_find_decoder(parameters.pointee.codec_id) else {
      avformat_close_input(&formatContext)
      throw VideoError.unsupportedCodec(file: path, codec: codecName)
    }
    guard let context = avcodec_alloc_context3(codec) else {
      avformat_close_input(&formatContext)
      throw VideoError.cannotOpen(file: path, reason: "out of memory")
    }
    codecContext = context
    status = avcodec_parameters_to_context(context, parameters)
    if status >= 0 {
      context.pointee.pkt_timebase = stream.pointee.time_base
      context.pointee.thread_count = Int32(threads)
      context.pointee.thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE
      status = avcodec_open2(context, codec, nil)
    }
    if status < 0 {
      avcodec_free_context(&codecContext)
      avformat_close_input(&formatContext)
      throw VideoError.cannotOpen(
        file: path, reason: "cannot open the \(codecName) decoder: \(ffmpegErrorDescription(status))")
    }
    packet = av_packet_alloc()
    frame = av_frame_alloc()

    let timeBase = VideoRational(stream.pointee.time_base)
    var rate = VideoRational(stream.pointee.avg_frame_rate)
    if !rate.isPositive { rate = VideoRational(stream.pointee.r_frame_rate) }
    if !rate.isPositive { rate = VideoRational(integer: 25) }
    let noPts = pleura_nopts_value()
    // Times are made relative to the file's start, as the ffmpeg CLI does (MPEG-PS often starts at 0.5 s).
    if format.pointee.start_time != noPts {
      startPts = av_rescale_q(format.pointee.start_time, pleura_time_base_q(), stream.pointee.time_base)
    } else if stream.pointee.start_time != noPts {
      startPts = stream.pointee.start_time
    } else {
      startPts = 0
    }
    nominalFrameDuration = max(1, av_rescale_q(1, rate.inverse.av, stream.pointee.time_base))
    var duration = 0.0
    if stream.pointee.duration != noPts, stream.pointee.duration > 0 {
      duration = Double(stream.pointee.duration) * timeBase.doubleValue
    } else if format.pointee.duration != noPts, format.pointee.duration > 0 {
      duration = Double(format.pointee.duration) / Double(pleura_time_base())
    }
    let pixelFormat = av_get_pix_fmt_name(AVPixelFormat(rawValue: parameters.pointee.format))
    let demuxer = String(cString: format.pointee.iformat.pointee.name)
    let brand = av_dict_get(format.pointee.metadata, "major_brand", nil, 0).map {
      String(cString: $0.pointee.value)
    }
    info = VideoStreamInfo(
      containerName: demuxer,
      container: Self.containerWord(demuxer: demuxer, majorBrand: brand),
      codecName: codecName,
      width: Int(parameters.pointee.width),
      height: Int(parameters.pointee.height),
      frameRate: rate,
      timeBase: timeBase,
      duration: duration,
      declaredFrameCount: Int(max(0, stream.pointee.nb_frames)),
      pixelFormatName: pixelFormat.map { String(cString: $0) } ?? "unknown")
  }

  /// One word for the container: ISO BMFF is "mov" for the QuickTime brand, "mp4" otherwise.
  static func containerWord(demuxer: String, majorBrand: String?) -> String {
    switch demuxer {
    case "mov,mp4,m4a,3gp,3g2,mj2":
      return majorBrand?.trimmingCharacters(in: .whitespaces) == "qt" ? "mov" : "mp4"
    case "mpeg": return "mpeg-ps"
    case "mpegts": return "mpeg-ts"
    case "matroska,webm": return "matroska"
    default: return demuxer
    }
  }

  deinit {
    av_frame_free(&frame)
    av_packet_free(&packet)
    avcodec_free_context(&codecContext)
    avformat_close_input(&formatContext)
  }

  /// Number of frames handed out so far.
  public var framesDecoded: Int { decodedCount }

  /// The next frame in presentation order, or nil at the end of the stream.
  /// - Throws: `VideoError.decodeFailed` / `.truncated` with the number of the frame that broke.
  public func nextFrame() throws -> DecodedFrame? {
    let eagain = pleura_averror_eagain()
    let eof = pleura_averror_eof()
    while true {
      if state == .finished { return nil }
      let received = avcodec_receive_frame(codecContext, frame)
      if received == 0 {
        defer { av_frame_unref(frame) }
        return try makeFrame()
      }
      if received == eof {
        state = .finished
        try checkComplete()
        return nil
      }
      if received != eagain {
        state = .finished
        throw VideoError.decodeFailed(
          file: url.path, frame: decodedCount, reason: ffmpegErrorDescription(received))
      }
      if state == .draining {
        state = .finished
        try checkComplete()
        return nil
      }
      try feedPacket()
    }
  }

  /// Counts the video stream's packets (one per frame for every codec ingest accepts) by demuxing `url`
  /// without decoding: an exact frame count at a fraction of the cost of decoding.
  public static func countFrames(in url: URL) throws -> Int {
    let decoder = try VideoDecoder(url: url, threads: 1)
    var count = 0
    while av_read_frame(decoder.formatContext, decoder.packet) >= 0 {
      if decoder.packet?.pointee.stream_index == decoder.streamIndex { count += 1 }
      av_packet_unref(decoder.packet)
    }
    return count
  }

  /// Reads one packet of the video stream and sends it to the decoder (or starts draining at the end).
  private func feedPacket() throws {
    let read = av_read_frame(formatContext, packet)
    if read < 0 {
      if read != pleura_averror_eof(), formatContext?.pointee.pb?.pointee.eof_reached == 0 {
        state = .finished
        throw VideoError.decodeFailed(
          file: url.path, frame: decodedCount, reason: "read error: \(ffmpegErrorDescription(read))")
      }
      avcodec_send_packet(codecContext, nil)
      state = .draining
      return
    }
    defer { av_packet_unref(packet) }
    guard packet?.pointee.stream_index == streamIndex else { return }
    packetsRead += 1
    let sent = avcodec_send_packet(codecContext, packet)
    if sent < 0, sent != pleura_averror_eagain() {
      state = .finished
      throw VideoError.decodeFailed(
        file: url.path, frame: decodedCount, reason: ffmpegErrorDescription(sent))
    }
  }

  /// After the last frame: a container that declared more frames than the file held is truncated. A small
  /// shortfall (0.5 %, at least one frame) is tolerated: some writers count a frame or two they never stored.
  private func checkComplete() throws {
    let declared = info.declaredFrameCount
    if declared > 0, declared - packetsRead > max(1, declared / 200) {
      throw VideoError.truncated(
        file: url.path, frame: decodedCount, declaredFrames: info.declaredFrameCount)
    }
    if decodedCount == 0 { throw VideoError.noFrames(file: url.path) }
  }

  private func makeFrame() throws -> DecodedFrame {
    guard let frame else {
      state = .finished
      throw VideoError.decodeFailed(file: url.path, frame: decodedCount, reason: "out of memory")
    }
    let noPts = pleura_nopts_value()
    var pts = frame.pointee.best_effort_timestamp
    if pts == noPts { pts = frame.pointee.pts }
    if pts == noPts {
      pts = (lastPts.map { $0 + nominalFrameDuration }) ?? startPts
    }
    lastPts = pts
    let duration = frame.pointee.pkt_duration > 0 ? frame.pointee.pkt_duration : nominalFrameDuration
    guard let image = luma.image(from: frame) else {
      state = .finished
      let format = av_get_pix_fmt_name(AVPixelFormat(rawValue: frame.pointee.format))
      throw VideoError.decodeFailed(
        file: url.path, frame: decodedCount,
        reason: "cannot convert pixel format \(format.map { String(cString: $0) } ?? "?") to grey")
    }
    let decoded = DecodedFrame(
      index: decodedCount, pts: pts - startPts, duration: duration, timeBase: info.timeBase, image: image)
    decodedCount += 1
    return decoded
  }
}
