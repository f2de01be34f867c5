import Foundation

/// What went wrong reading, writing or converting a video; every case names the file it is about.
public enum VideoError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The file could not be opened or its container was not recognised.
  case cannotOpen(file: String, reason: String)
  /// The container holds no video stream.
  case noVideoStream(file: String)
  /// No decoder (or encoder) for the stream's codec is available in this FFmpeg build.
  case unsupportedCodec(file: String, codec: String)
  /// Reading or decoding failed; `frame` is the 0-based number of the first frame that could not be decoded.
  case decodeFailed(file: String, frame: Int, reason: String)
  /// The file holds fewer frames than its container declares (cut short, or damaged so that the demuxer lost
  /// frames): decoding broke at `frame`.
  case truncated(file: String, frame: Int, declaredFrames: Int)
  /// The file decoded to no frames at all.
  case noFrames(file: String)
  /// The output file could not be created or its encoder could not be set up.
  case cannotCreateOutput(file: String, reason: String)
  /// Encoding or writing failed at the given 0-based output frame.
  case encodeFailed(file: String, frame: Int, reason: String)
  /// A frame handed to a writer does not have the writer's size.
  case frameSizeMismatch(file: String, frame: Int, expected: String, got: String)
  /// A parameter is out of range; `reason` says what is allowed.
  case invalidParameter(name: String, value: String, reason: String)
  /// A requested time or position lies outside the video.
  case outOfRange(file: String, what: String, reason: String)

  /// One sentence saying what is wrong and with which file.
  public var description: String {
    switch self {
    case .cannotOpen(let file, let reason):
      return "Cannot open video '\(file)': \(reason)."
    case .noVideoStream(let file):
      return "'\(file)' contains no video stream."
    case .unsupportedCodec(let file, let codec):
      return "'\(file)': codec '\(codec)' is not available in this FFmpeg build."
    case .decodeFailed(let file, let frame, let reason):
      return "Decoding '\(file)' broke at frame \(frame): \(reason)."
    case .truncated(let file, let frame, let declared):
      return
        "'\(file)' is truncated: decoding broke at frame \(frame) of the \(declared) its container declares."
    case .noFrames(let file):
      return "'\(file)' decodes to no frames."
    case .cannotCreateOutput(let file, let reason):
      return "Cannot create video '\(file)': \(reason)."
    case .encodeFailed(let file, let frame, let reason):
      return "Encoding '\(file)' failed at output frame \(frame): \(reason)."
    case .frameSizeMismatch(let file, let frame, let expected, let got):
      return "Frame \(frame) for '\(file)' is \(got), but the video is \(expected)."
    case .invalidParameter(let name, let value, let reason):
      return "Invalid \(name) '\(value)': \(reason)."
    case .outOfRange(let file, let what, let reason):
      return "'\(file)': \(what) is out of range: \(reason)."
    }
  }
}

extension VideoError: LocalizedError {
  public var errorDescription: String? { description }
}
