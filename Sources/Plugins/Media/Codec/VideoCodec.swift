/// Which encoder writes a video, with its quality settings.
public enum VideoCodec: Hashable, Sendable, CustomStringConvertible {
  /// H.264 through libx264, yuv420p with neutral chroma. `crf` 0–51 (lower is better), `preset` one of
  /// x264's presets (`ultrafast` ... `medium` ... `placebo`).
  case h264(crf: Double, preset: String)
  /// Lossless H.264: libx264 at `qp 0` (luma is kept bit-exactly; High 4:4:4 Predictive profile).
  case h264Lossless(preset: String)
  /// MPEG-4 Part 2 (FFmpeg's `mpeg4` encoder) at a fixed quantiser `quality` 1–31 (lower is better).
  case mpeg4(quality: Int)
  /// FFV1 version 3, lossless, stored as GRAY8 (no padding to even sizes needed).
  case ffv1

  /// x264's presets, fastest first.
  public static let x264Presets = [
    "ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow", "placebo",
  ]

  /// The study's encoder: H.264, crf 18, preset medium.
  public static var studyDefault: VideoCodec { WorkingFormat.codec }

  /// The container this codec goes in unless told otherwise.
  public var defaultContainer: VideoContainer {
    switch self {
    case .h264, .h264Lossless: return .mp4
    case .mpeg4: return .avi
    case .ffv1: return .matroska
    }
  }

  /// The libavcodec encoder name.
  var encoderName: String {
    switch self {
    case .h264, .h264Lossless: return "libx264"
    case .mpeg4: return "mpeg4"
    case .ffv1: return "ffv1"
    }
  }

  /// The codec name as ffprobe reports it (`h264`, `mpeg4`, `ffv1`).
  public var codecName: String {
    switch self {
    case .h264, .h264Lossless: return "h264"
    case .mpeg4: return "mpeg4"
    case .ffv1: return "ffv1"
    }
  }

  /// Whether the encoder needs yuv420p, hence even width and height.
  var needsEvenSize: Bool { self != .ffv1 }

  /// `"h264 crf 18 medium"`, `"mpeg4 q 4"`, ...
  public var description: String {
    switch self {
    case .h264(let crf, let preset): return "h264 crf \(crf) \(preset)"
    case .h264Lossless(let preset): return "h264 qp 0 \(preset)"
    case .mpeg4(let quality): return "mpeg4 q \(quality)"
    case .ffv1: return "ffv1"
    }
  }
}

/// A container (muxer) for written videos.
public enum VideoContainer: String, Hashable, Sendable, CaseIterable {
  /// MP4 (ISO BMFF), written with the index first (`+faststart`).
  case mp4
  /// QuickTime MOV.
  case mov
  /// AVI.
  case avi
  /// Matroska (`.mkv`).
  case matroska

  /// The libavformat muxer name.
  var muxerName: String {
    switch self {
    case .mp4: return "mp4"
    case .mov: return "mov"
    case .avi: return "avi"
    case .matroska: return "matroska"
    }
  }

  /// The usual file extension, without the dot.
  public var fileExtension: String {
    switch self {
    case .mp4: return "mp4"
    case .mov: return "mov"
    case .avi: return "avi"
    case .matroska: return "mkv"
    }
  }
}
