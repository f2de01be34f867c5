import CFFmpeg
import Foundation

/// Reads every packet of one video stream: counts them, decodes the first frame (or all of them
/// when the header gives no frame count), and reports where decoding broke.
enum FrameCounter {
  struct Counts {
    var packets: Int
    var decodedFrames: Int
  }

  static func count(
    format: UnsafeMutablePointer<AVFormatContext>, streamIndex: Int32, decodeAll: Bool, path: String
  ) throws -> Counts {
    guard let stream = format.pointee.streams[Int(streamIndex)],
      let decoder = avcodec_find_decoder(stream.pointee.codecpar.pointee.codec_id)
    else { throw ProbeError.undecodable(path: path, reason: "no decoder for this codec") }
    var context = avcodec_alloc_context3(decoder)
    guard context != nil else { throw ProbeError.undecodable(path: path, reason: "out of memory") }
    defer { avcodec_free_context(&context) }
    avcodec_parameters_to_context(context, stream.pointee.codecpar)
    context?.pointee.thread_count = 0
    var status = avcodec_open2(context, decoder, nil)
    guard status >= 0 else {
      throw ProbeError.undecodable(path: path, reason: ffmpegErrorDescription(status))
    }

    var packet = av_packet_alloc()
    var frame = av_frame_alloc()
    defer {
      av_packet_free(&packet)
      av_frame_free(&frame)
    }
    var counts = Counts(packets: 0, decodedFrames: 0)
    var decoding = true

    func receive() throws {
      while true {
        status = avcodec_receive_frame(context, frame)
        if status == pleura_averror_eagain() || status == pleura_averror_eof() { return }
        guard status >= 0 else {
          throw ProbeError.undecodable(
            path: path,
            reason: "decoding broke at frame \(counts.decodedFrames): \(ffmpegErrorDescription(status))")
        }
        counts.decodedFrames += 1
        av_frame_unref(frame)
        if !decodeAll { decoding = false }
      }
    }

    while true {
      status = av_read_frame(format, packet)
      if status < 0 { break }  // end of file, or the file ends mid-packet: what was read counts
      defer { av_packet_unref(packet) }
      guard packet?.pointee.stream_index == streamIndex else { continue }
      counts.packets += 1
      if decoding {
        let sent = avcodec_send_packet(context, packet)
        if sent < 0, sent != pleura_averror_eagain() {
          throw ProbeError.undecodable(
            path: path,
            reason: "decoding broke at frame \(counts.decodedFrames): \(ffmpegErrorDescription(sent))")
        }
        try receive()
      }
    }
    if decoding {
      avcodec_send_packet(context, nil)
      try receive()
    }
    guard counts.decodedFrames > 0 else {
      throw ProbeError.undecodable(path: path, reason: "no frame could be decoded")
    }
    return counts
  }
}
