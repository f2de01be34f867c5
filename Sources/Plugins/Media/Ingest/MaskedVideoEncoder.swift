import Foundation
import Platform

/// The stored form of an ordinary video given `--mask`: every frame's luma with the rectangles
/// blacked out, re-encoded losslessly (FFV1 grey in Matroska) at the source's frame rate. The
/// original's bytes are not kept (only their hash, by ingest). Chroma is dropped: Pleura reads
/// luma only, and B-mode ultrasound is grey.
public enum MaskedVideoEncoder {
  /// Writes the masked copy of `input` to `output` (a `.mkv` path); returns the mask applied.
  @discardableResult
  public static func write(_ input: URL, to output: URL, masks: [PixelRect]) throws -> PixelMask {
    let decoder = try VideoDecoder(url: input)
    let width = decoder.info.width
    let height = decoder.info.height
    for rect in masks where rect.x >= width || rect.y >= height || rect.maxX <= 0 || rect.maxY <= 0 {
      throw DicomError.maskOutsideFrame(
        file: input.path, mask: rect.description, width: width, height: height)
    }
    let list = masks.map(\.description).joined(separator: " ")
    let mask = PixelMask.inside(masks, width: width, height: height, summary: "masked --mask \(list)")
    let writer = try VideoWriter(
      url: output, width: width, height: height,
      options: VideoWriterOptions(codec: .ffv1, container: .matroska, frameRate: decoder.info.frameRate))
    do {
      while let frame = try decoder.nextFrame() {
        var image = frame.image
        mask.apply(to: &image)
        try writer.append(image)
      }
      _ = try writer.finish()
    } catch {
      writer.cancel()
      try? FileManager.default.removeItem(at: output)
      throw error
    }
    return mask
  }
}
