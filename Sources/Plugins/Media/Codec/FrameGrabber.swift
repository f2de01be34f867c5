import Foundation

/// Single frames out of a video file.
public enum FrameGrabber {
  /// The frame on screen at `seconds` from the start: the last frame whose presentation time is at or before
  /// it (within half a millisecond). Times are the frames' own timestamps, so variable-rate clips seek right:
  /// a frame stays on screen until the next one starts (however long its nominal duration), and the last
  /// one for its duration.
  ///
  /// ```swift
  /// try PNGWriter.write(try FrameGrabber.frame(of: clip, at: 1.5), to: URL(fileURLWithPath: "frame.png"))
  /// ```
  /// - Throws: `VideoError.outOfRange` when `seconds` is negative or past the end of the video.
  public static func frame(of url: URL, at seconds: Double) throws -> GrayImage {
    guard seconds >= 0, seconds.isFinite else {
      throw VideoError.outOfRange(file: url.path, what: "time \(seconds) s", reason: "must be 0 or more")
    }
    let decoder = try VideoDecoders.open(url)
    var chosen: DecodedFrame?
    while let frame = try decoder.nextFrame() {
      // The next frame starts later: the one before it is on screen (or this one, if it is the first).
      if frame.seconds > seconds + 0.0005 { return (chosen ?? frame).image }
      chosen = frame
    }
    guard let chosen, seconds < chosen.endSeconds + 0.0005 else {
      let end = chosen.map { String(format: "%.3f", $0.endSeconds) } ?? "?"
      throw VideoError.outOfRange(
        file: url.path, what: "time \(seconds) s", reason: "the video ends at \(end) s")
    }
    return chosen.image
  }
}
