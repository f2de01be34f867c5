import CFFmpeg
import Foundation
import Platform

/// What probing a video file found, as ingest records it.
public struct VideoProbe: Codable, Equatable, Sendable {
  /// libavformat's demuxer name, as ffprobe's `format_name` prints it (e.g. `mov,mp4,m4a,3gp,3g2,mj2`).
  public var container: String
  /// libavcodec's codec name (e.g. `h264`, `mpeg2video`).
  public var codec: String
  public var width: Int
  public var height: Int
  /// Frame rate as an exact rational (e.g. 187000/9789).
  public var fpsNumerator: Int
  public var fpsDenominator: Int
  public var frameCount: Int
  public var durationSeconds: Double
  /// Whether the frame count was found by decoding because the header did not say.
  public var frameCountFromDecoding: Bool
}

public enum ProbeError: Error, CustomStringConvertible, Equatable {
  case missing(path: String)
  case empty(path: String)
  /// A folder, a device, a pipe or a socket: `kind` says which.
  case notAFile(path: String, kind: String)
  case unreadable(path: String, reason: String)
  case noVideoStream(path: String)
  case undecodable(path: String, reason: String)
  case truncated(path: String, expectedFrames: Int, foundFrames: Int)

  public var description: String {
    switch self {
    case .missing(let path): "\(path): no such file"
    case .empty(let path): "\(path): the file is empty"
    case .notAFile(let path, let kind):
      kind == "a folder"
        ? "\(path): is a folder, not a video file (give the files in it, or a --manifest)"
        : "\(path): is \(kind), not a video file"
    case .unreadable(let path, let reason): "\(path): not a readable video (\(reason))"
    case .noVideoStream(let path): "\(path): the file has no video stream"
    case .undecodable(let path, let reason): "\(path): the video stream cannot be decoded (\(reason))"
    case .truncated(let path, let expected, let found):
      "\(path): truncated: the header promises \(expected) frames but only \(found) are present"
    }
  }
}

extension VideoProbe {
  /// Probes a file in-process with libavformat and libavcodec.
  ///
  /// The frame count comes from the header when it has one (checked against the packets that are
  /// really there, so a truncated file is caught), else from decoding every frame. The first
  /// frame is always decoded, so a file whose stream cannot be decoded is refused here.
  public static func probe(_ url: URL) throws -> VideoProbe {
    let path = url.path
    // A device such as /dev/urandom reports size 0 and would read as "empty", or never end.
    switch FileKind.of(path) {
    case .missing: throw ProbeError.missing(path: path)
    case .unreadable(let reason): throw ProbeError.unreadable(path: path, reason: reason)
    case .other(let kind): throw ProbeError.notAFile(path: path, kind: kind)
    case .regular(let size): guard size > 0 else { throw ProbeError.empty(path: path) }
    }
    pleura_av_quiet()

    var opened: UnsafeMutablePointer<AVFormatContext>?
    var status = avformat_open_input(&opened, path, nil, nil)
    guard status >= 0, let format = opened else {
      throw ProbeError.unreadable(path: path, reason: ffmpegErrorDescription(status))
    }
    defer { avformat_close_input(&opened) }
    status = avformat_find_stream_info(format, nil)
    guard status >= 0 else { throw ProbeError.unreadable(path: path, reason: ffmpegErrorDescription(status)) }

    let index = av_find_best_stream(format, AVMEDIA_TYPE_VIDEO, -1, -1, nil, 0)
    guard index >= 0, let stream = format.pointee.streams[Int(index)] else {
      throw ProbeError.noVideoStream(path: path)
    }
    let parameters = stream.pointee.codecpar.pointee
    guard parameters.width > 0, parameters.height > 0 else {
      throw ProbeError.undecodable(path: path, reason: "the stream has no frame size")
    }
    let rate = frameRate(of: stream.pointee)
    guard rate.num > 0, rate.den > 0 else {
      throw ProbeError.undecodable(path: path, reason: "the stream has no frame rate")
    }

    let headerFrames = Int(stream.pointee.nb_frames)
    let counted = try FrameCounter.count(
      format: format, streamIndex: index, decodeAll: headerFrames <= 0, path: path)
    if headerFrames > 0, counted.packets < headerFrames {
      throw ProbeError.truncated(path: path, expectedFrames: headerFrames, foundFrames: counted.packets)
    }
    let frameCount = headerFrames > 0 ? headerFrames : counted.decodedFrames
    try StillImageRule.check(
      path: path, format: String(cString: format.pointee.iformat.pointee.name), frames: frameCount)

    return VideoProbe(
      container: String(cString: format.pointee.iformat.pointee.name),
      codec: String(cString: avcodec_get_name(parameters.codec_id)),
      width: Int(parameters.width), height: Int(parameters.height),
      fpsNumerator: Int(rate.num), fpsDenominator: Int(rate.den), frameCount: frameCount,
      durationSeconds: duration(of: stream.pointee, format: format.pointee, frames: frameCount, rate: rate),
      frameCountFromDecoding: headerFrames <= 0)
  }

  /// The average rate when the container knows it, else the stream's base rate (as ffprobe).
  static func frameRate(of stream: AVStream) -> AVRational {
    var rate = stream.avg_frame_rate
    if rate.num <= 0 || rate.den <= 0 { rate = stream.r_frame_rate }
    var num: Int32 = 0
    var den: Int32 = 0
    av_reduce(&num, &den, Int64(rate.num), Int64(rate.den), Int64(Int32.max))
    return AVRational(num: num, den: den)
  }

  static func duration(of stream: AVStream, format: AVFormatContext, frames: Int, rate: AVRational)
    -> Double
  {
    if stream.duration != pleura_nopts_value(), stream.duration > 0 {
      return Double(stream.duration) * av_q2d(stream.time_base)
    }
    if format.duration != pleura_nopts_value(), format.duration > 0 {
      return Double(format.duration) / Double(pleura_time_base())
    }
    return Double(frames) * Double(rate.den) / Double(rate.num)
  }
}
