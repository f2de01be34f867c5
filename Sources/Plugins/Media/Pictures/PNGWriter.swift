import CFFmpeg
import Foundation
import Primitives

/// Encodes pictures as PNG through libavcodec's PNG encoder (GRAY8 or RGB24).
///
/// ```swift
/// try PNGWriter.write(frame.image, to: URL(fileURLWithPath: "frame.png"))
/// ```
public enum PNGWriter {
  /// PNG bytes of a grey image.
  public static func encode(_ image: GrayImage) throws -> Data {
    try encode(
      width: image.width, height: image.height, format: AV_PIX_FMT_GRAY8, bytesPerPixel: 1,
      pixels: image.pixels)
  }

  /// PNG bytes of an RGB image.
  public static func encode(_ image: RGBImage) throws -> Data {
    try encode(
      width: image.width, height: image.height, format: AV_PIX_FMT_RGB24, bytesPerPixel: 3,
      pixels: image.pixels)
  }

  /// Writes a grey image to `url` as PNG (atomically: a failed write leaves no partial file).
  public static func write(_ image: GrayImage, to url: URL) throws {
    try store(encode(image), url)
  }

  /// Writes an RGB image to `url` as PNG (atomically).
  public static func write(_ image: RGBImage, to url: URL) throws {
    try store(encode(image), url)
  }

  private static func store(_ data: Data, _ url: URL) throws {
    do {
      try data.write(to: url, options: .atomic)
    } catch {
      throw VideoError.cannotCreateOutput(file: url.path, reason: error.localizedDescription)
    }
  }

  private static func encode(
    width: Int, height: Int, format: AVPixelFormat, bytesPerPixel: Int, pixels: [UInt8]
  ) throws -> Data {
    pleura_av_quiet()
    func failure(_ reason: String) -> VideoError {
      .cannotCreateOutput(file: "PNG image \(width)x\(height)", reason: reason)
    }
    guard let codec = avcodec_find_encoder(AV_CODEC_ID_PNG) else {
      throw VideoError.unsupportedCodec(file: "PNG image", codec: "png")
    }
    var context = avcodec_alloc_context3(codec)
    var frame = av_frame_alloc()
    var packet = av_packet_alloc()
    defer {
      av_packet_free(&packet)
      av_frame_free(&frame)
      avcodec_free_context(&context)
    }
    guard let context, let frame, let packet else { throw failure("out of memory") }
    context.pointee.width = Int32(width)
    context.pointee.height = Int32(height)
    context.pointee.pix_fmt = format
    context.pointee.time_base = AVRational(num: 1, den: 1)
    var status = avcodec_open2(context, codec, nil)
    guard status >= 0 else { throw failure(ffmpegErrorDescription(status)) }
    frame.pointee.width = Int32(width)
    frame.pointee.height = Int32(height)
    frame.pointee.format = format.rawValue
    status = av_frame_get_buffer(frame, 0)
    guard status >= 0 else { throw failure(ffmpegErrorDescription(status)) }
    let rowBytes = width * bytesPerPixel
    let stride = Int(frame.pointee.linesize.0)
    guard let plane = frame.pointee.data.0 else { throw failure("out of memory") }
    pixels.withUnsafeBufferPointer { source in
      for row in 0..<height {
        (plane + row * stride).update(
          from: source.address + row * rowBytes, count: rowBytes)
      }
    }
    frame.pointee.pts = 0
    status = avcodec_send_frame(context, frame)
    guard status >= 0 else { throw failure(ffmpegErrorDescription(status)) }
    avcodec_send_frame(context, nil)
    var data = Data()
    while avcodec_receive_packet(context, packet) >= 0 {
      data.append(packet.pointee.data, count: Int(packet.pointee.size))
      av_packet_unref(packet)
    }
    guard !data.isEmpty else { throw failure("the PNG encoder produced no data") }
    return data
  }
}
