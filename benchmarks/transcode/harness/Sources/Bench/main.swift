// Temporary benchmark harness: `Bench IN OUT` runs `runTranscodeBenchmark` (the study's conversion) and
// prints wall time and peak memory. It stands in for `pleura bench transcode IN OUT` until the CLI wires it.
// `Bench synthesize OUT` times writing one long synthetic video (854x480, 54 fps, 18 s).
import Foundation
import Media

let arguments = CommandLine.arguments
if arguments.count == 3, arguments[1] == "synthesize" {
  let start = Date()
  let video = try SyntheticLungVideo(
    parameters: .init(
      width: 854, height: 480, frameRate: VideoRational(integer: 54), duration: 18, sliding: .present, seed: 1))
  let built = Date()
  let summary = try video.write(to: URL(fileURLWithPath: arguments[2]))
  print(
    "scene \(built.timeIntervalSince(start)) s, write \(Date().timeIntervalSince(built)) s,",
    "\(summary.frameCount) frames")
  exit(0)
}
guard arguments.count == 3 else {
  FileHandle.standardError.write(Data("usage: Bench IN OUT | Bench synthesize OUT\n".utf8))
  exit(2)
}
let measured = try runTranscodeBenchmark(
  input: URL(fileURLWithPath: arguments[1]), output: URL(fileURLWithPath: arguments[2]))
print(
  "seconds \(measured.seconds) peak_rss_bytes \(measured.peakRSSBytes)",
  "frames \(measured.result.output.frameCount)")
