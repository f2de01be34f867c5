// Temporary benchmark harness: `Bench IN OUT` runs `runTranscodeBenchmark` (the study's conversion) and
// prints wall time and peak memory. It stands in for `pleura bench transcode IN OUT` until the CLI wires it.
import Foundation
import Media

let arguments = CommandLine.arguments
guard arguments.count == 3 else {
  FileHandle.standardError.write(Data("usage: Bench IN OUT\n".utf8))
  exit(2)
}
let measured = try runTranscodeBenchmark(
  input: URL(fileURLWithPath: arguments[1]), output: URL(fileURLWithPath: arguments[2]))
print(
  "seconds \(measured.seconds) peak_rss_bytes \(measured.peakRSSBytes)",
  "frames \(measured.result.output.frameCount)")
