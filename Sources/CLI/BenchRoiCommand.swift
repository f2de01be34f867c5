import ArgumentParser
import Foundation
import Media
import Platform

extension BenchCommand {
  /// `pleura bench roi`: ROI suggestion scored against truth on realistic synthetic videos and,
  /// with `--real`, on a folder of real clips with reference ROIs (`rois.csv`).
  struct Roi: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "roi",
      abstract:
        "Score ROI suggestion: IoU with the true ROI on realistic synthetic videos, and on real clips.",
      discussion: """
        Writes each synthetic video through the encoder, suggests its ROI from the file and scores the box \
        against the generator's truth (IoU, share of the box outside the image region); with --real, the \
        same against a folder's reference ROIs (rois.csv). A quality benchmark: no timing.

        Example:
          pleura bench roi --videos 210 --seed 1 --real ../shared/data/real-lus
        """)

    @Option(help: "Synthetic videos (probes alternate, sizes and durations vary).") var videos = 200
    @Option(help: "Seed of the synthetic set.") var seed = 1
    @Option(help: "Shortest and longest video in seconds, as A-B.") var seconds = "2-6"
    @Flag(help: "Small frame sizes (as the test suite uses) instead of the study's and public clips' sizes.")
    var small = false
    @Option(help: "Folder with real clips and their rois.csv.") var real: String?
    @Option(help: "Scratch folder for the videos (each is removed after use).") var scratch: String?
    @Flag(help: "Score the previous suggester (before the realistic generator) on the same videos too.")
    var previous = false
    @Flag(help: "Print every case, and the summary, as JSON.") var json = false
    @Option(help: "Only these cases of the set, by number from 0, as 5,39,81 (with their truth and reasons).")
    var cases: String?

    func validate() throws {
      guard (0...5000).contains(videos) else {
        throw ValidationError("--videos \(videos) is outside 0...5000")
      }
      guard let bounds = secondsRange else {
        throw ValidationError("--seconds '\(seconds)' is not A-B with 0.1 <= A <= B <= 120")
      }
      _ = bounds
      guard cases == nil || only != nil else {
        throw ValidationError(
          "--cases '\(cases ?? "")' is not a list of case numbers below --videos, as 5,39,81")
      }
    }

    /// The case numbers of `--cases`, each below `--videos`.
    var only: [Int]? {
      guard let cases else { return nil }
      let numbers = cases.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
      guard !numbers.isEmpty, numbers.allSatisfy({ $0.map { (0..<videos).contains($0) } == true }) else {
        return nil
      }
      return numbers.compactMap { $0 }
    }

    var secondsRange: ClosedRange<Double>? {
      let parts = seconds.split(separator: "-").map { Double($0) }
      guard parts.count == 2, let a = parts[0], let b = parts[1], a >= 0.1, b >= a, b <= 120 else {
        return nil
      }
      return a...b
    }

    func run() async throws {
      let folder =
        scratch.map { URL(fileURLWithPath: $0) }
        ?? FileManager.default.temporaryDirectory.appendingPathComponent(
          "pleura-roi-bench-\(UUID().uuidString)")
      defer { if scratch == nil { try? FileManager.default.removeItem(at: folder) } }
      guard let secondsRange else { throw ValidationError("--seconds '\(seconds)' is not A-B") }
      let cases = try RoiBenchmark.synthetic(
        count: videos, seed: UInt64(seed),
        sizes: small ? RoiBenchmark.testSizes : RoiBenchmark.benchmarkSizes,
        seconds: secondsRange, previous: previous, only: only, scratch: folder
      ) { item in
        if !json {
          let result =
            item.refusal.map { "refused: \($0)" }
            ?? String(
              format: "IoU %.2f, outside %.2f, confidence %.2f", item.iou, item.outside, item.confidence ?? 0)
          Terminal.warn("\(item.width)x\(item.height) \(item.probe) \(item.sliding): \(result)")
          if only != nil {
            Terminal.warn("    truth \(item.truth), suggested \(item.suggested.map(\.description) ?? "none")")
            for reason in item.reasons { Terminal.warn("    \(reason)") }
          }
        }
      }
      let realCases =
        try real.map { try RoiBenchmark.real(folder: URL(fileURLWithPath: $0), previous: previous) } ?? []
      if json {
        struct Report: Encodable {
          var summary: RoiBenchmark.Summary
          var byProbe: [String: RoiBenchmark.Summary]
          var synthetic: [RoiBenchmark.SyntheticCase]
          var real: [RoiBenchmark.RealCase]
        }
        let byProbe = Dictionary(grouping: cases, by: \.probe).mapValues(RoiBenchmark.Summary.init)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let report = Report(summary: .init(cases), byProbe: byProbe, synthetic: cases, real: realCases)
        return print(String(decoding: try encoder.encode(report), as: UTF8.self))
      }
      if !cases.isEmpty {
        for (name, group) in [("all", cases)]
          + Dictionary(grouping: cases, by: \.probe).sorted(by: { $0.key < $1.key })
        {
          let s = RoiBenchmark.Summary(group)
          print(
            String(
              format:
                "%@: %d videos, IoU >= 0.7: %d (%.1f %%), >= 0.5: %d; IoU p10/p25/p50/p75/p90 %@; refused %d; "
                + "boxes > 10 %% outside the image region: %d; low confidence %d; confident but IoU < 0.5: %d",
              name, s.videos, s.atLeast07, 100 * Double(s.atLeast07) / Double(max(1, s.videos)), s.atLeast05,
              s.quantiles.map { String(format: "%.2f", $0) }.joined(separator: "/"), s.refused, s.straying,
              s.lowConfidence, s.confidentAndWrong))
          if let atLeast07 = s.previousAtLeast07, let quantiles = s.previousQuantiles {
            print(
              String(
                format: "  previous suggester: IoU >= 0.7: %d (%.1f %%); IoU p10/p25/p50/p75/p90 %@; "
                  + "boxes > 10 %% outside the image region: %d",
                atLeast07, 100 * Double(atLeast07) / Double(max(1, s.videos)),
                quantiles.map { String(format: "%.2f", $0) }.joined(separator: "/"), s.previousStraying ?? 0))
          }
        }
      }
      for item in realCases {
        var outcome = "refused: \(item.refusal ?? "no box")"
        if let suggested = item.suggested, let top = item.topOffset, let confidence = item.confidence {
          outcome = String(
            format: "%@ IoU %.2f, top %+d px from the pleura row, confidence %@", suggested.description,
            item.iou, top, RoiConfidence.describe(confidence))
        }
        print(
          "\(item.file) (reference \(item.reference), \(item.referenceConfidence)): \(outcome)\(item.meetsBar ? "" : " [misses the bar]")"
        )
        for reason in item.reasons { print("    \(reason)") }
        if let iou = item.previousIoU {
          print(
            "    previous suggester: "
              + (item.previousSuggested.map { String(format: "%@ IoU %.2f", $0.description, iou) }
                ?? "refused"))
        }
      }
    }
  }
}
