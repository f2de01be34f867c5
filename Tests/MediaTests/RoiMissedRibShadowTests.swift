import Foundation
import Platform
import Primitives
import Testing

@testable import Media

/// A window that runs over a rib shadow the suggester did not take for one (a faint shadow that still
/// shows the pleural line under the rib's arc) is wrong, so it must not be confident: the shapes of the
/// confident-but-wrong boxes of the ROI benchmark (seed 1 cases 81 and 126, seed 3 case 84), drawn
/// again by the same generator draws at a smaller size and a second long.
@Suite struct RoiMissedRibShadowTests {
  static func video(seed: UInt64, index: Int, size: (Int, Int)) throws -> SyntheticLungVideo {
    try SyntheticLungVideo(
      parameters: RoiBenchmark.parameters(index: index, seed: seed, sizes: [size], seconds: 1...1))
  }

  @Test(arguments: [(1, 81, 370, 370), (1, 126, 427, 240), (3, 84, 427, 240)])
  func aWindowOverAFaintRibShadowIsRightOrLowConfidence(seed: Int, index: Int, width: Int, height: Int)
    throws
  {
    let video = try Self.video(seed: UInt64(seed), index: index, size: (width, height))
    let frames = (0..<video.frameCount).map { video.frame($0) }
    let suggestion = try RoiSuggester.suggest(frames: frames)
    let iou = suggestion.rect.iou(video.roi)
    #expect(
      iou >= 0.5 || suggestion.isLowConfidence,
      "\(suggestion.rect) against \(video.roi) (IoU \(iou)) with confidence \(suggestion.confidence): \(suggestion.reasons)"
    )
    // A box kept low for the shadow says so.
    #expect(
      iou >= 0.5 || suggestion.reasons.contains { $0.contains("a rib shadow the window may run over") },
      "\(suggestion.reasons)")
  }

  /// A side of the picture that fades out as a whole (poor probe contact, a lateral gain fall-off: the
  /// chest wall dims with the lung) is no rib shadow: no shadow reason, and the confidence of the same
  /// clip without the fade.
  @Test func aDimSideOfThePictureIsNotARibShadow() throws {
    let (video, frames) = try RoiSuggesterTests.frames(5)
    let plain = try RoiSuggester.suggest(frames: frames)
    let start = video.roi.x + video.roi.width / 2
    let faded = frames.map { frame in
      var frame = frame
      for y in 0..<frame.height {
        for x in start..<frame.width {
          let gain = max(0.35, 1 - 0.65 * Double(x - start) / Double(max(1, frame.width - 1 - start)))
          frame[x, y] = UInt8((Double(frame[x, y]) * gain).rounded())
        }
      }
      return frame
    }
    let suggestion = try RoiSuggester.suggest(frames: faded)
    #expect(
      !suggestion.reasons.contains { $0.contains("a rib shadow the window may run over") },
      "\(suggestion.reasons)")
    #expect(
      suggestion.confidence >= plain.confidence - 0.05, "\(plain.confidence) -> \(suggestion.confidence)")
  }
}
