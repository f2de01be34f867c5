import Media
import Testing

/// The generator's learnability check, shared by its classic and realistic styles: on each decoded
/// video's M-mode through the middle of the ROI, the mean temporal variance of rows below the pleural
/// line over that of rows above it. Sliding puts moving speckle below the line, so the ratio separates
/// present from absent; whole-frame brightness follows the patient's gain, not the label, so it must not.
struct SlidingSeparation {
  private(set) var ratios: [LungSliding: [Double]] = [:]
  private(set) var brightness: [LungSliding: [Double]] = [:]

  mutating func add(
    _ video: SyntheticLungVideo, decoded frames: [GrayImage], below: Range<Int>, above: Range<Int>
  ) throws {
    let mmode = try MModeImage.make(from: frames, column: video.roi.x + video.roi.width / 2)
    let sliding = video.parameters.sliding
    ratios[sliding, default: []].append(
      meanTemporalVariance(mmode, rows: below) / meanTemporalVariance(mmode, rows: above))
    brightness[sliding, default: []].append(frames.map(\.meanBrightness).reduce(0, +) / Double(frames.count))
  }

  func expectSeparated(threshold: Double, sourceLocation: SourceLocation = #_sourceLocation) {
    print("variance ratios below/above: \(ratios), mean brightness: \(brightness)")
    let present = ratios[.present] ?? []
    let absent = ratios[.absent] ?? []
    #expect(!present.isEmpty && !absent.isEmpty, "both labels measured", sourceLocation: sourceLocation)
    #expect(
      present.allSatisfy { $0 > threshold }, "present ratios \(present)", sourceLocation: sourceLocation)
    #expect(absent.allSatisfy { $0 < threshold }, "absent ratios \(absent)", sourceLocation: sourceLocation)
    let bright = (present: brightness[.present] ?? [], absent: brightness[.absent] ?? [])
    if let presentMin = bright.present.min(), let presentMax = bright.present.max(),
      let absentMin = bright.absent.min(), let absentMax = bright.absent.max()
    {
      #expect(
        presentMin < absentMax && absentMin < presentMax, "brightness overlaps between the labels",
        sourceLocation: sourceLocation)
    }
  }

  /// Mean over `rows` of each row's variance over time (M-mode columns are time).
  private func meanTemporalVariance(_ mmode: GrayImage, rows: Range<Int>) -> Double {
    var total = 0.0
    for y in rows {
      var sum = 0.0
      var squares = 0.0
      for x in 0..<mmode.width {
        let value = Double(mmode[x, y])
        sum += value
        squares += value * value
      }
      let n = Double(mmode.width)
      total += squares / n - (sum / n) * (sum / n)
    }
    return total / Double(rows.count)
  }
}
