import Foundation

extension SyntheticLungVideo {
  /// Writes the video through `VideoWriter`: by default H.264 (crf 18, preset veryfast) in MP4, or
  /// MPEG-4 Part 2 (q 3) in AVI, at the video's frame rate.
  @discardableResult
  public func write(to url: URL, container: VideoContainer = .mp4, codec: VideoCodec? = nil) throws
    -> VideoWriteSummary
  {
    let chosen: VideoCodec
    if let codec {
      chosen = codec
    } else {
      switch container {
      case .avi: chosen = .mpeg4(quality: 3)
      case .matroska: chosen = .ffv1
      case .mp4, .mov: chosen = .h264(crf: 18, preset: "veryfast")
      }
    }
    let writer = try VideoWriter(
      url: url, width: parameters.width, height: parameters.height,
      options: VideoWriterOptions(codec: chosen, container: container, frameRate: parameters.frameRate))
    for index in 0..<frameCount { try writer.append(frame(index)) }
    return try writer.finish()
  }
}
