import CFFmpeg
import Primitives

/// Turns a decoded `AVFrame` into a `GrayImage`.
///
/// Planar and semi-planar YUV (and grey) pictures already carry 8-bit luma in plane 0, which is copied
/// row by row as stored (limited-range sources keep their 16–235 values; no range expansion). Anything
/// else (RGB, palette GIFs, high bit depth) goes through swscale to GRAY8.
final class LumaExtractor {
  private var scaler: OpaquePointer?
  private var scalerKey: (width: Int32, height: Int32, format: Int32) = (0, 0, -1)

  deinit { sws_freeContext(scaler) }

  /// Whether plane 0 of `format` is 8-bit luma with one byte per pixel.
  static func hasDirectLuma(_ format: Int32) -> Bool {
    guard let descriptor = av_pix_fmt_desc_get(AVPixelFormat(rawValue: format)) else { return false }
    let flags = descriptor.pointee.flags
    let rejected =
      UInt64(AV_PIX_FMT_FLAG_RGB) | UInt64(AV_PIX_FMT_FLAG_PAL) | UInt64(AV_PIX_FMT_FLAG_BE)
      | UInt64(AV_PIX_FMT_FLAG_BITSTREAM) | UInt64(AV_PIX_FMT_FLAG_FLOAT)
    if flags & rejected != 0 { return false }
    let luma = descriptor.pointee.comp.0
    return luma.plane == 0 && luma.depth == 8 && luma.step == 1 && luma.shift == 0 && luma.offset == 0
  }

  /// Copies (or converts) the luma of `frame`; returns nil when swscale cannot handle the format.
  func image(from frame: UnsafeMutablePointer<AVFrame>) -> GrayImage? {
    let width = Int(frame.pointee.width)
    let height = Int(frame.pointee.height)
    guard width > 0, height > 0 else { return nil }
    let format = frame.pointee.format
    if Self.hasDirectLuma(format), let source = frame.pointee.data.0 {
      let stride = Int(frame.pointee.linesize.0)
      let pixels = [UInt8](unsafeUninitializedCapacity: width * height) { buffer, count in
        for row in 0..<height {
          (buffer.address + row * width).update(from: source + row * stride, count: width)
        }
        count = width * height
      }
      return GrayImage(width: width, height: height, pixels: pixels)
    }
    return convert(frame, width: width, height: height)
  }

  private func convert(_ frame: UnsafeMutablePointer<AVFrame>, width: Int, height: Int) -> GrayImage? {
    let key = (Int32(width), Int32(height), frame.pointee.format)
    if scaler == nil || scalerKey != key {
      sws_freeContext(scaler)
      scaler = sws_getContext(
        key.0, key.1, AVPixelFormat(rawValue: key.2), key.0, key.1, AV_PIX_FMT_GRAY8,
        SWS_BICUBIC, nil, nil, nil)
      scalerKey = key
    }
    guard let scaler else { return nil }
    var ok = true
    let pixels = [UInt8](unsafeUninitializedCapacity: width * height) { buffer, count in
      var destination: [UnsafeMutablePointer<UInt8>?] = [buffer.baseAddress, nil, nil, nil]
      var strides: [Int32] = [Int32(width), 0, 0, 0]
      let sourceData = withUnsafeBytes(of: frame.pointee.data) { raw in
        Array(raw.bindMemory(to: UnsafePointer<UInt8>?.self).prefix(4))
      }
      let sourceStrides = withUnsafeBytes(of: frame.pointee.linesize) { raw in
        Array(raw.bindMemory(to: Int32.self).prefix(4))
      }
      let rows = sws_scale(scaler, sourceData, sourceStrides, 0, Int32(height), &destination, &strides)
      ok = rows == Int32(height)
      count = width * height
    }
    return ok ? GrayImage(width: width, height: height, pixels: pixels) : nil
  }
}
