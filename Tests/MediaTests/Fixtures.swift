import Foundation
import Media
import TestSupport
import Testing

/// Test inputs made at test time with the ffmpeg CLI (never used by library code), in a fresh folder.
struct Fixtures {
  let directory: URL

  init() throws {
    directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("pleura-media-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  }

  func remove() { try? FileManager.default.removeItem(at: directory) }

  func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

  /// Runs `ffmpeg -f lavfi -i SOURCE ARGS... OUT` and returns OUT.
  @discardableResult
  func ffmpeg(_ name: String, source: String, _ arguments: [String]) throws -> URL {
    let output = url(name)
    try Self.run(
      "ffmpeg",
      ["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", source] + arguments + [output.path])
    return output
  }

  static func run(_ tool: String, _ arguments: [String]) throws { try ExternalTool.check(tool, arguments) }

  /// Whether the ffmpeg CLI has `encoder`.
  static func hasEncoder(_ encoder: String) -> Bool {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["ffmpeg", "-hide_banner", "-h", "encoder=\(encoder)"]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return false }
    let text = String(data: output.fileHandleForReading.readDataToEndOfFile(), encoding: .utf8) ?? ""
    process.waitUntilExit()
    return text.contains("Encoder \(encoder)")
  }

  /// Decodes all of `url`.
  static func decodeAll(_ url: URL) throws -> [DecodedFrame] {
    let decoder = try VideoDecoder(url: url)
    var frames: [DecodedFrame] = []
    while let frame = try decoder.nextFrame() { frames.append(frame) }
    return frames
  }
}
