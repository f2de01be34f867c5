import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One timed conversion: wall time and the process's peak resident memory afterwards.
public struct TranscodeBenchmarkResult: Sendable, Equatable {
  /// Wall-clock seconds of the conversion.
  public let seconds: Double
  /// Peak resident set size of the whole process so far, in bytes (`getrusage` maxrss).
  public let peakRSSBytes: Int
  /// What was converted.
  public let result: TranscodeResult
}

/// Converts `input` to `output` with `options` (by default the study's conversion, which the benchmark
/// compares with `ffmpeg -i IN -vf scale=640:480,fps=30 -c:v libx264 -preset medium -crf 18 OUT`) and
/// measures it. Run it in a fresh process for a meaningful peak memory figure.
public func runTranscodeBenchmark(
  input: URL, output: URL, options: TranscodeOptions = TranscodeOptions()
) throws -> TranscodeBenchmarkResult {
  let start = DispatchTime.now().uptimeNanoseconds
  let result = try Transcoder.transcode(input: input, output: output, options: options)
  let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
  return TranscodeBenchmarkResult(seconds: seconds, peakRSSBytes: peakResidentBytes(), result: result)
}

/// The process's peak resident set size in bytes.
func peakResidentBytes() -> Int {
  var usage = rusage()
  #if canImport(Darwin)
    getrusage(RUSAGE_SELF, &usage)
    return Int(usage.ru_maxrss)  // bytes on Darwin
  #else
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Int(usage.ru_maxrss) * 1024  // kilobytes on Linux
  #endif
}
