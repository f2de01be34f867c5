import CFFmpeg
import Primitives

/// Resizes grey images with swscale's bicubic filter (the default of FFmpeg's `scale` filter).
///
/// ```swift
/// let scaler = GrayScaler(width: 640, height: 480, mode: .letterbox)
/// let small = try scaler.scale(frame.image)
/// ```
/// Not thread-safe: one scaler per thread.
public final class GrayScaler {
  /// Output width.
  public let width: Int
  /// Output height.
  public let height: Int
  /// Stretch or letterbox.
  public let mode: ScalingMode
  private var context: OpaquePointer?
  private var sourceSize = (width: 0, height: 0)
  private var placement = (x: 0, y: 0, width: 0, height: 0)

  /// A scaler to `width` x `height`.
  public init(width: Int, height: Int, mode: ScalingMode = .stretch) {
    precondition(width > 0 && height > 0, "output size must be positive")
    self.width = width
    self.height = height
    self.mode = mode
  }

  deinit { sws_freeContext(context) }

  /// Where a `sourceWidth` x `sourceHeight` picture lands in the output (x, y, width, height).
  public func placement(sourceWidth: Int, sourceHeight: Int) -> (x: Int, y: Int, width: Int, height: Int) {
    switch mode {
    case .stretch:
      return (0, 0, width, height)
    case .letterbox:
      let scale = min(Double(width) / Double(sourceWidth), Double(height) / Double(sourceHeight))
      let w = max(1, min(width, Int((Double(sourceWidth) * scale).rounded())))
      let h = max(1, min(height, Int((Double(sourceHeight) * scale).rounded())))
      return ((width - w) / 2, (height - h) / 2, w, h)
    }
  }

  /// The image resized to the output size (returned as is when the size already matches).
  public func scale(_ image: GrayImage) throws -> GrayImage {
    if image.width == width && image.height == height { return image }
    if context == nil || sourceSize != (image.width, image.height) {
      sws_freeContext(context)
      placement = placement(sourceWidth: image.width, sourceHeight: image.height)
      context = sws_getContext(
        Int32(image.width), Int32(image.height), AV_PIX_FMT_GRAY8,
        Int32(placement.width), Int32(placement.height), AV_PIX_FMT_GRAY8,
        SWS_BICUBIC, nil, nil, nil)
      sourceSize = (image.width, image.height)
    }
    guard let context else {
      throw VideoError.invalidParameter(
        name: "scaling", value: "\(image.width)x\(image.height) → \(width)x\(height)",
        reason: "swscale cannot set up this conversion")
    }
    let place = placement
    let outputWidth = width
    let pixels = [UInt8](unsafeUninitializedCapacity: width * height) { buffer, count in
      if place.width != outputWidth || place.height != height {
        buffer.initialize(repeating: 0)
      }
      image.pixels.withUnsafeBufferPointer { source in
        var sourcePlanes: [UnsafePointer<UInt8>?] = [source.baseAddress, nil, nil, nil]
        var sourceStrides: [Int32] = [Int32(image.width), 0, 0, 0]
        var destinationPlanes: [UnsafeMutablePointer<UInt8>?] = [
          buffer.address + place.y * outputWidth + place.x, nil, nil, nil,
        ]
        var destinationStrides: [Int32] = [Int32(outputWidth), 0, 0, 0]
        sws_scale(
          context, &sourcePlanes, &sourceStrides, 0, Int32(image.height), &destinationPlanes,
          &destinationStrides)
      }
      count = outputWidth * height
    }
    return GrayImage(width: width, height: height, pixels: pixels)
  }
}
