import Foundation
import TestSupport

/// Test videos made at test time with the `ffmpeg` CLI (an independent tool, never used by
/// Pleura itself); the real public clips are `RealClips` in TestSupport.
enum Fixtures {
  static var ffmpegAvailable: Bool { which("ffmpeg") != nil && which("ffprobe") != nil }

  static func which(_ tool: String) -> String? { ExternalTool.which(tool) }

  /// Runs a tool and returns its stdout; throws with its stderr when it fails.
  @discardableResult
  static func tool(_ name: String, _ arguments: [String]) throws -> String {
    try ExternalTool.check(name, arguments)
  }

  /// Runs a tool and returns its stdout as bytes (raw video frames, for example).
  static func toolBytes(_ name: String, _ arguments: [String]) throws -> Data {
    try ExternalTool.checkData(name, arguments)
  }

  /// A short test-pattern video; `encoder` picks codec and container options.
  static func video(
    in folder: URL, name: String, size: String = "160x120", rate: String = "25", seconds: Double = 1,
    encoder: [String]
  ) throws -> URL {
    let url = folder.appendingPathComponent(name)
    try tool(
      "ffmpeg",
      ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=\(size):rate=\(rate):duration=\(seconds)"]
        + encoder + [url.path])
    return url
  }

  /// What ffprobe says of a file's first video stream.
  struct Probe: Equatable {
    var codec: String
    var width: Int
    var height: Int
    var rate: String
    var frames: Int
  }

  static func ffprobe(_ url: URL) throws -> Probe {
    let text = try tool(
      "ffprobe",
      [
        "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
        "stream=codec_name,width,height,avg_frame_rate,r_frame_rate,nb_read_frames", "-of", "json", url.path,
      ])
    let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
    let stream = (object["streams"] as! [[String: Any]])[0]
    var rate = stream["avg_frame_rate"] as! String
    if rate == "0/0" { rate = stream["r_frame_rate"] as! String }
    return Probe(
      codec: stream["codec_name"] as! String, width: stream["width"] as! Int,
      height: stream["height"] as! Int,
      rate: rate, frames: Int(stream["nb_read_frames"] as! String)!)
  }
}
