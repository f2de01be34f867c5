/// Resizes grey images by area averaging: each output pixel is the mean of the input area it
/// covers (partly covered input pixels weighted by the part covered). Shrinking keeps every
/// input pixel's share (no aliasing from skipped rows); enlarging repeats pixels, blending only
/// at the seams. Separable: time (width) first, then depth (height).
enum AreaResampler {
  /// For each of `outputs` cells, the inputs it covers and their weights (summing to 1).
  static func weights(from inputs: Int, to outputs: Int) -> [[(index: Int, weight: Float)]] {
    let scale = Double(inputs) / Double(outputs)
    return (0..<outputs).map { output in
      let start = Double(output) * scale
      let end = Double(output + 1) * scale
      var taps: [(index: Int, weight: Float)] = []
      var index = Int(start)
      while Double(index) < end, index < inputs {
        let covered = min(end, Double(index + 1)) - max(start, Double(index))
        if covered > 0 { taps.append((index, Float(covered / scale))) }
        index += 1
      }
      return taps
    }
  }

  /// `pixels` (`width` x `height`, row-major) as a `size` x `size` image, row-major.
  static func resize(_ pixels: [UInt8], width: Int, height: Int, to size: Int) -> [UInt8] {
    precondition(pixels.count == width * height && width > 0 && height > 0 && size > 0)
    let across = weights(from: width, to: size)
    let down = weights(from: height, to: size)
    // Rows resized along x: height x size.
    var wide = [Float](repeating: 0, count: height * size)
    for y in 0..<height {
      let row = y * width
      for (x, taps) in across.enumerated() {
        var sum: Float = 0
        for tap in taps { sum += Float(pixels[row + tap.index]) * tap.weight }
        wide[y * size + x] = sum
      }
    }
    var out = [UInt8](repeating: 0, count: size * size)
    for (y, taps) in down.enumerated() {
      for x in 0..<size {
        var sum: Float = 0
        for tap in taps { sum += wide[tap.index * size + x] * tap.weight }
        out[y * size + x] = UInt8(max(0, min(255, sum.rounded())))
      }
    }
    return out
  }
}
