import Foundation

extension SyntheticLungVideo {
  /// Writes the video through `VideoWriter`: by default H.264 (crf 18, preset veryfast) in MP4, MPEG-4
  /// Part 2 (q 3) in AVI, or FFV1 in Matroska, at the video's frame rate. Frames are generated on a second
  /// thread while the encoder works, a few frames ahead. A failed write leaves no file.
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
    let queue = BlockingQueue<GrayImage>(capacity: 4)
    let done = DispatchSemaphore(value: 0)
    let video = self
    let thread = Thread {
      defer {
        queue.close()
        done.signal()
      }
      for index in 0..<video.frameCount {
        guard queue.push(video.frame(index)) else { return }
      }
    }
    thread.name = "pleura.synthesize.frames"
    thread.start()
    do {
      while let image = queue.pop() { try writer.append(image) }
      done.wait()
      return try writer.finish()
    } catch {
      queue.cancel()
      done.wait()
      writer.cancel()
      throw error
    }
  }
}
