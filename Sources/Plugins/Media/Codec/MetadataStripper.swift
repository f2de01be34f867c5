import CFFmpeg
import Foundation

public enum MetadataStripperError: Error, CustomStringConvertible {
  case failed(file: String, step: String, reason: String)

  public var description: String {
    switch self {
    case .failed(let file, let step, let reason): "\(file): cannot strip metadata (\(step): \(reason))"
    }
  }
}

/// Copies a video's video streams into a new file of the same container without any metadata:
/// no title, comments, creation time, location, encoder tag, and no audio, subtitle or data
/// streams (which can carry the same). Packets are copied, not re-encoded, so the pictures are
/// bit-identical.
public enum MetadataStripper {
  public static func strip(input: URL, output: URL) throws {
    let name = input.lastPathComponent
    // A DICOM source is the de-identified copy ingest wrote (header per PS3.15, no private
    // elements, pixels masked): it travels as it is.
    if DicomFile.looksLikeDicom(input) {
      do {
        try FileManager.default.copyItem(at: input.resolvingSymlinksInPath(), to: output)
      } catch {
        throw MetadataStripperError.failed(file: name, step: "copy", reason: error.localizedDescription)
      }
      return
    }
    func fail(_ step: String, _ code: Int32) -> MetadataStripperError {
      .failed(file: name, step: step, reason: ffmpegErrorDescription(code))
    }
    pleura_av_quiet()
    var source: UnsafeMutablePointer<AVFormatContext>?
    var status = avformat_open_input(&source, input.path, nil, nil)
    guard status >= 0, let inputContext = source else { throw fail("open", status) }
    defer { avformat_close_input(&source) }
    status = avformat_find_stream_info(inputContext, nil)
    guard status >= 0 else { throw fail("read streams", status) }

    var target: UnsafeMutablePointer<AVFormatContext>?
    status = avformat_alloc_output_context2(&target, nil, nil, output.path)
    guard status >= 0, let outputContext = target else { throw fail("choose container", status) }
    defer {
      if outputContext.pointee.pb != nil { avio_closep(&outputContext.pointee.pb) }
      avformat_free_context(outputContext)
    }
    // Bit-exact output leaves out the muxer's own version tag and creation time.
    outputContext.pointee.flags |= AVFMT_FLAG_BITEXACT

    var mapping = [Int32](repeating: -1, count: Int(inputContext.pointee.nb_streams))
    for index in 0..<Int(inputContext.pointee.nb_streams) {
      guard let stream = inputContext.pointee.streams[index],
        stream.pointee.codecpar.pointee.codec_type == AVMEDIA_TYPE_VIDEO,
        stream.pointee.disposition & AV_DISPOSITION_ATTACHED_PIC == 0
      else { continue }
      guard let copy = avformat_new_stream(outputContext, nil) else {
        throw fail("add stream", pleura_averror_enomem())
      }
      status = avcodec_parameters_copy(copy.pointee.codecpar, stream.pointee.codecpar)
      guard status >= 0 else { throw fail("copy stream", status) }
      copy.pointee.codecpar.pointee.codec_tag = 0
      copy.pointee.time_base = stream.pointee.time_base
      copy.pointee.avg_frame_rate = stream.pointee.avg_frame_rate
      copy.pointee.r_frame_rate = stream.pointee.r_frame_rate
      mapping[index] = copy.pointee.index
    }
    guard mapping.contains(where: { $0 >= 0 }) else {
      throw MetadataStripperError.failed(file: name, step: "copy", reason: "no video stream")
    }
    status = avio_open(&outputContext.pointee.pb, output.path, AVIO_FLAG_WRITE)
    guard status >= 0 else { throw fail("create output", status) }
    status = avformat_write_header(outputContext, nil)
    guard status >= 0 else { throw fail("write header", status) }

    var packet = av_packet_alloc()
    defer { av_packet_free(&packet) }
    guard let packet else {
      throw MetadataStripperError.failed(file: name, step: "copy", reason: "out of memory")
    }
    while av_read_frame(inputContext, packet) >= 0 {
      defer { av_packet_unref(packet) }
      let from = Int(packet.pointee.stream_index)
      guard from < mapping.count, mapping[from] >= 0, let inStream = inputContext.pointee.streams[from],
        let outStream = outputContext.pointee.streams[Int(mapping[from])]
      else { continue }
      packet.pointee.stream_index = mapping[from]
      av_packet_rescale_ts(packet, inStream.pointee.time_base, outStream.pointee.time_base)
      packet.pointee.pos = -1
      status = av_interleaved_write_frame(outputContext, packet)
      guard status >= 0 else { throw fail("copy packets", status) }
    }
    status = av_write_trailer(outputContext)
    guard status >= 0 else { throw fail("finish", status) }
  }
}
