import Bag
import Foundation
import Testing

/// The Pleura side of benchmarks/bundle/run.sh: exports the folder `PLEURA_BENCH_PAYLOAD` as a
/// bag archive and imports (extracts and verifies) it, `PLEURA_BENCH_RUNS` times, printing one
/// `BENCH <phase> <seconds>` line per run. Skipped unless `PLEURA_BENCH_BUNDLE=1`.
@Suite struct BundleBenchmark {
  static let environment = ProcessInfo.processInfo.environment

  @Test(
    .enabled(
      if: environment["PLEURA_BENCH_BUNDLE"] == "1", "set PLEURA_BENCH_BUNDLE=1 (benchmarks/bundle/run.sh)"))
  func exportAndImport() throws {
    let payload = URL(filePath: try #require(Self.environment["PLEURA_BENCH_PAYLOAD"]))
    let work = URL(filePath: try #require(Self.environment["PLEURA_BENCH_WORK"]))
    let runs = Int(Self.environment["PLEURA_BENCH_RUNS"] ?? "") ?? 5
    let compression: BagCompression = Self.environment["PLEURA_BENCH_GZIP"] == "1" ? .gzip() : .zstd()
    let clock = ContinuousClock()
    for run in 1...runs {
      let archive = work.appending(path: "pleura-\(run).\(compression.fileExtension)")
      try? FileManager.default.removeItem(at: archive)
      var summary: BagSummary?
      let export = try clock.measure {
        let writer = try BagWriter(creating: archive, bagName: "bench", compression: compression)
        try writer.addFolder(at: payload, as: "objects")
        var info = BagInfo()
        info.append("Source-Organization", "benchmark")
        summary = try writer.finish(info: info)
      }
      var bag: VerifiedBag?
      let `import` = try clock.measure {
        bag = try BagReader(stagingParent: work).extract(archive: archive)
      }
      let files = bag?.payload.count ?? 0
      try bag?.remove()
      try FileManager.default.removeItem(at: archive)
      print(
        "BENCH export \(Self.seconds(export)) run=\(run) payload=\(summary?.payloadBytes ?? 0) "
          + "archive=\(summary?.archiveBytes ?? 0)")
      print(
        "BENCH import \(Self.seconds(`import`)) run=\(run) files=\(files) maxrss=\(Self.maxResidentMB()) MB")
    }
  }

  /// The process's peak resident memory so far: it stays flat if export and import stream.
  static func maxResidentMB() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss / 1024
  }

  static func seconds(_ duration: Duration) -> String {
    let (s, attoseconds) = duration.components
    return String(format: "%.3f", Double(s) + Double(attoseconds) / 1e18)
  }
}
