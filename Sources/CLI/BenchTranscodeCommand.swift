import ArgumentParser
import Foundation
import Media

extension BenchCommand {
  /// `pleura bench transcode IN OUT`: one conversion to the study's format, timed, with peak
  /// memory; `benchmarks/transcode/run.sh` runs it beside the ffmpeg CLI.
  struct Transcode: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "transcode",
      abstract: "Time one conversion to 640x480 30 fps H.264 (crf 18, preset medium) and report peak memory.",
      discussion: """
        Example:
          pleura bench transcode scan.mp4 /tmp/scan-640x480.mp4
        """)

    @Argument(help: "Input video.") var input: String
    @Argument(help: "Output file (replaced).") var output: String
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
      let result = try runTranscodeBenchmark(
        input: URL(fileURLWithPath: input), output: URL(fileURLWithPath: output))
      if json {
        print(
          #"{"seconds": \#(result.seconds), "peakRSSBytes": \#(result.peakRSSBytes), "frames": \#(result.result.output.frameCount)}"#
        )
      } else {
        print(
          String(
            format: "transcode: %.3f s, %d output frames, peak RSS %.1f MB", result.seconds,
            result.result.output.frameCount,
            Double(result.peakRSSBytes) / 1_048_576))
      }
    }
  }
}
