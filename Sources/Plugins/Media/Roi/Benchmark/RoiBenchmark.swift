import Foundation
import Platform
import Primitives

/// ROI suggestion measured against truth (`pleura bench roi`, `benchmarks/roi/`, and, smaller, the test
/// suite): realistic synthetic videos written through the encoder and suggested from the file, scored by
/// IoU with the generator's true ROI and by how much of each box lies outside the true image region;
/// and the real clips of a folder against its `rois.csv`.
public enum RoiBenchmark {
  public struct SyntheticCase: Codable, Sendable {
    public var seed: UInt64
    public var width: Int
    public var height: Int
    public var probe: String
    public var sliding: String
    public var truth: PixelRect
    public var suggested: PixelRect?
    public var iou: Double
    /// Share of the suggested box outside the true image region.
    public var outside: Double
    public var confidence: Double?
    public var refusal: String?
    /// The suggester's reasons for its box (empty where it refused).
    public var reasons: [String] = []
    /// The previous suggester's IoU and share outside the image region (0 where it refused), when asked.
    public var previousIoU: Double?
    public var previousOutside: Double?
  }

  public struct RealCase: Codable, Sendable {
    public var file: String
    public var reference: PixelRect
    public var pleuraRow: Int
    public var referenceConfidence: String
    public var suggested: PixelRect?
    public var iou: Double
    /// Suggested top edge minus the reference pleura row (source pixels).
    public var topOffset: Int?
    public var confidence: Double?
    public var reasons: [String]
    public var refusal: String?
    /// The previous suggester's box (nil where it refused or was not asked) and its IoU.
    public var previousSuggested: PixelRect?
    public var previousIoU: Double?

    /// The bar: IoU >= 0.5 with the top edge within 15 px of the pleura, or — where the
    /// reference itself is of low confidence — a refusal or a low-confidence box with its reasons.
    public var meetsBar: Bool {
      let placed = iou >= 0.5 && topOffset.map { abs($0) <= 15 } == true
      let declined = refusal != nil || confidence.map(RoiConfidence.isLow) == true
      return placed || (referenceConfidence == "low" && declined && (refusal != nil || !reasons.isEmpty))
    }
  }

  /// What a synthetic run looked like.
  public struct Summary: Codable, Sendable {
    public var videos: Int
    public var atLeast07: Int
    public var atLeast05: Int
    public var refused: Int
    /// Boxes with more than 10 % of their area outside the image region.
    public var straying: Int
    /// Boxes with confidence at or above the threshold but IoU below 0.5.
    public var confidentAndWrong: Int
    public var lowConfidence: Int
    /// IoU quantiles 10, 25, 50, 75 and 90 %.
    public var quantiles: [Double]
    /// The same figures for the previous suggester, where it ran.
    public var previousAtLeast07: Int?
    public var previousStraying: Int?
    public var previousQuantiles: [Double]?

    public init(_ cases: [SyntheticCase]) {
      videos = cases.count
      atLeast07 = cases.filter { $0.iou >= 0.7 }.count
      atLeast05 = cases.filter { $0.iou >= 0.5 }.count
      refused = cases.filter { $0.refusal != nil }.count
      straying = cases.filter { $0.outside > 0.1 }.count
      confidentAndWrong =
        cases.filter { $0.iou < 0.5 && $0.confidence.map { !RoiConfidence.isLow($0) } == true }.count
      lowConfidence = cases.filter { $0.confidence.map(RoiConfidence.isLow) == true }.count
      let ious = cases.map(\.iou)
      quantiles = Self.quantiles(ious)
      let previous = cases.compactMap(\.previousIoU)
      if !previous.isEmpty {
        previousAtLeast07 = previous.filter { $0 >= 0.7 }.count
        previousStraying = cases.compactMap(\.previousOutside).filter { $0 > 0.1 }.count
        previousQuantiles = Self.quantiles(previous)
      }
    }

    static func quantiles(_ ious: [Double]) -> [Double] {
      [0.1, 0.25, 0.5, 0.75, 0.9].map { (Stats.quantile(ious, $0) * 100).rounded() / 100 }
    }
  }

  /// Frame sizes of the full benchmark: the study's, and sizes of public clips.
  public static let benchmarkSizes = [
    (854, 480), (640, 480), (528, 528), (400, 300), (370, 370), (260, 260), (208, 208),
  ]
  /// Small sizes for the test suite.
  public static let testSizes = [(320, 240), (256, 256), (240, 180), (288, 216)]

  /// The parameters of synthetic case `index`: probes alternate, sizes cycle, a third of the lungs do not
  /// slide, durations vary.
  public static func parameters(index: Int, seed: UInt64, sizes: [(Int, Int)], seconds: ClosedRange<Double>)
    -> SyntheticLungVideo.Parameters
  {
    let videoSeed = SeededGenerator.derive(seed, UInt64(index))
    var generator = SeededGenerator(seed: videoSeed)
    let (width, height) = sizes[index % sizes.count]
    return SyntheticLungVideo.Parameters(
      width: width, height: height, frameRate: VideoRational(integer: 30),
      duration: (generator.uniform(seconds) * 10).rounded() / 10,
      sliding: index % 3 == 2 ? .absent : .present,
      seed: videoSeed, patient: .random(seed: SeededGenerator.derive(videoSeed, 7)), style: .realistic,
      probe: index % 2 == 0 ? .linear : .convex)
  }

  /// Generates, writes, suggests and scores `count` videos (with `previous`, by the previous suggester
  /// too), or only the cases numbered `only` of the set (to look again at single cases); `progress`
  /// hears each finished case.
  public static func synthetic(
    count: Int, seed: UInt64 = 1, sizes: [(Int, Int)] = benchmarkSizes, seconds: ClosedRange<Double> = 2...6,
    previous: Bool = false, only: [Int]? = nil, scratch: URL, progress: (SyntheticCase) -> Void = { _ in }
  ) throws -> [SyntheticCase] {
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    var cases: [SyntheticCase] = []
    for index in only ?? Array(0..<count) {
      let parameters = Self.parameters(index: index, seed: seed, sizes: sizes, seconds: seconds)
      let video = try SyntheticLungVideo(parameters: parameters)
      let file = scratch.appendingPathComponent("roi-bench-\(index).mp4")
      defer { try? FileManager.default.removeItem(at: file) }
      try video.write(to: file, container: .mp4)
      var item = SyntheticCase(
        seed: parameters.seed, width: parameters.width, height: parameters.height,
        probe: video.probe.rawValue,
        sliding: parameters.sliding.rawValue, truth: video.roi, suggested: nil, iou: 0, outside: 0,
        confidence: nil,
        refusal: nil)
      do {
        let suggestion = try RoiSuggester.suggest(url: file, frameCount: video.frameCount)
        item.suggested = suggestion.rect
        item.iou = suggestion.rect.iou(video.roi)
        item.outside = video.validRegion.outsideFraction(of: suggestion.rect)
        item.confidence = suggestion.confidence
        item.reasons = suggestion.reasons
      } catch let failure as RoiSuggester.Failure {
        item.refusal = failure.description
      }
      if previous {
        let box = try PreviousRoiSuggester.suggest(url: file, frameCount: video.frameCount)
        item.previousIoU = box.map { $0.iou(video.roi) } ?? 0
        item.previousOutside = box.map { video.validRegion.outsideFraction(of: $0) } ?? 0
      }
      cases.append(item)
      progress(item)
    }
    return cases
  }

  public enum RealClipsError: Error, CustomStringConvertible {
    case unreadable(String)
    public var description: String {
      switch self {
      case .unreadable(let reason): reason
      }
    }
  }

  /// Every clip of `folder/rois.csv` (`file,x,y,w,h,pleura_row,confidence,notes`) that exists.
  public static func real(folder: URL, previous: Bool = false) throws -> [RealCase] {
    let csv = folder.appendingPathComponent("rois.csv")
    guard let text = try? String(contentsOf: csv, encoding: .utf8) else {
      throw RealClipsError.unreadable("\(csv.path): cannot be read")
    }
    var cases: [RealCase] = []
    for (number, line) in text.split(separator: "\n").enumerated().dropFirst() {
      let fields = line.split(separator: ",", maxSplits: 7, omittingEmptySubsequences: false).map(String.init)
      guard fields.count >= 7, let x = Int(fields[1]), let y = Int(fields[2]), let w = Int(fields[3]),
        let h = Int(fields[4]), let row = Int(fields[5])
      else {
        throw RealClipsError.unreadable(
          "\(csv.path) line \(number + 1): expected file,x,y,w,h,pleura_row,confidence")
      }
      let url = folder.appendingPathComponent(fields[0])
      guard FileManager.default.fileExists(atPath: url.path) else { continue }
      let reference = PixelRect(x: x, y: y, width: w, height: h)
      var item = RealCase(
        file: fields[0], reference: reference, pleuraRow: row, referenceConfidence: fields[6], suggested: nil,
        iou: 0,
        topOffset: nil, confidence: nil, reasons: [], refusal: nil)
      let frames = try VideoProbe.probe(url).frameCount
      if previous {
        item.previousSuggested = try PreviousRoiSuggester.suggest(url: url, frameCount: frames)
        item.previousIoU = item.previousSuggested.map { $0.iou(reference) } ?? 0
      }
      do {
        let suggestion = try RoiSuggester.suggest(url: url, frameCount: frames)
        item.suggested = suggestion.rect
        item.iou = suggestion.rect.iou(reference)
        item.topOffset = suggestion.rect.y - row
        item.confidence = suggestion.confidence
        item.reasons = suggestion.reasons
      } catch let failure as RoiSuggester.Failure {
        item.refusal = failure.description
      }
      cases.append(item)
    }
    return cases
  }
}
