import CDicomLazy

/// Decodes a DICOM file's frames one at a time, 8 bits per sample: grey (1 sample) or RGB (3).
final class FrameReader {
  struct Layout {
    var width: Int
    var height: Int
    var frames: Int
    var samples: Int
    var frameBytes: Int { width * height * samples }
  }

  let file: DicomFile

  init(file: DicomFile) { self.file = file }

  func begin() throws -> Layout {
    var width: Int32 = 0
    var height: Int32 = 0
    var frames = 0
    var samples: Int32 = 0
    try file.check({ DicomError.undecodable(file: file.url.path, reason: $0) }) {
      pleura_dicom_frames_begin(file.handle, &width, &height, &frames, &samples, $0, $1)
    }
    return Layout(width: Int(width), height: Int(height), frames: frames, samples: Int(samples))
  }

  /// Decodes frame `index` into `buffer` (frames are best read in increasing order).
  func decode(_ index: Int, into buffer: inout [UInt8]) throws {
    try buffer.withUnsafeMutableBufferPointer { pixels in
      try file.check({ DicomError.undecodable(file: file.url.path, reason: $0) }) {
        pleura_dicom_frame(file.handle, index, pixels.baseAddress, pixels.count, $0, $1)
      }
    }
  }

  /// The grey image of an interleaved frame: itself, or the BT.601 luma of RGB.
  static func luma(_ frame: [UInt8], layout: Layout) -> GrayImage {
    if layout.samples == 1 { return GrayImage(width: layout.width, height: layout.height, pixels: frame) }
    let count = layout.width * layout.height
    let pixels = [UInt8](unsafeUninitializedCapacity: count) { luma, initialized in
      frame.withUnsafeBufferPointer { pleura_dicom_rgb_to_luma($0.baseAddress, luma.baseAddress, count) }
      initialized = count
    }
    return GrayImage(width: layout.width, height: layout.height, pixels: pixels)
  }
}
