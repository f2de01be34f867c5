import Foundation

/// A still picture (PNG, JPEG, a one-frame anything) is not a clip: FFmpeg opens it as a
/// one-frame "video" at a default 25 fps, and everything downstream (conversion, ROI suggestion,
/// cubes) would then treat a picture as lung motion. Ingest refuses it here, in one place.
public struct StillImageRefusal: Error, CustomStringConvertible, Equatable {
  public var path: String
  /// libavformat's name for what it read (e.g. `png_pipe`, `image2`, `mov,mp4,m4a,3gp,3g2,mj2`).
  public var format: String
  public var frames: Int

  public var description: String {
    "\(path): a still image (\(format), \(frames) frame\(frames == 1 ? "" : "s")), not a video; "
      + "ingest takes clips of at least \(StillImageRule.minimumFrames) frames"
  }
}

enum StillImageRule {
  static let minimumFrames = 2

  /// Throws when what was probed is a picture rather than a clip.
  static func check(path: String, format: String, frames: Int) throws {
    guard frames >= minimumFrames else { throw StillImageRefusal(path: path, format: format, frames: frames) }
  }
}
