import Primitives

/// Where a clip carries echo data, and what is burned in over it.
///
/// Echo pixels change over time (noise, motion) or at least are not black; the black surround of a
/// sector or rectangle is neither. Burned-in overlays (text, depth scale, markers, caliper lines) are
/// bright and do not change. The region is the largest connected area of echo pixels with its holes
/// (overlays inside it) filled.
struct ValidImageRegion: Sendable {
  /// Pixels inside the scan (overlays within it included).
  let mask: ImageMask
  /// Static bright pixels: analysis ignores them.
  let overlay: ImageMask
  /// The picture's black level (0, or 16 for limited-range video).
  let black: Double

  /// Thresholds in grey levels: `static` below this temporal deviation, `bright` above this mean.
  static let staticDeviation = 0.8
  static let overlayBrightness = 100.0

  /// Thresholds on the mean count from the picture's black level (its darkest values): decoders give
  /// black as 0 or, in limited range, 16.
  init(mean: Plane, deviation: Plane) {
    let (w, h) = (mean.width, mean.height)
    let black = Self.blackLevel(mean)
    var overlay = ImageMask(width: w, height: h, filled: false)
    for i in 0..<(w * h)
    where deviation.values[i] < Self.staticDeviation && mean.values[i] > black + Self.overlayBrightness {
      overlay.bits[i] = true
    }
    // Overlays are text-like: thin lines and small marks. A wide static blob is echo that did not change
    // (a still lung, compression flattening its noise), which the analysis needs.
    overlay = Self.textLike(overlay)
    // Compression smears an overlay's edge pixels a little: take the nearly static ones beside it too.
    var grown = Self.dilated(overlay)
    for i in 0..<(w * h) where grown.bits[i] && deviation.values[i] >= 1.5 { grown.bits[i] = false }
    overlay = grown
    var echo = ImageMask(width: w, height: h, filled: false)
    // Echo: clearly above black, or changing (but not black pixels that compression makes flicker).
    for i in 0..<(w * h)
    where (mean.values[i] > black + 4 || (deviation.values[i] > 2 && mean.values[i] > black + 1))
      && !overlay.bits[i]
    {
      echo.bits[i] = true
    }
    let region = Self.holesFilled(Self.largestComponent(Self.dilated(echo)))
    self.mask = Self.eroded(region)
    self.overlay = overlay
    self.black = black
  }

  /// The darkest mean value that more than a few pixels share (0.1 % quantile).
  static func blackLevel(_ mean: Plane) -> Double {
    var histogram = [Int](repeating: 0, count: 257)
    for v in mean.values where !v.isNaN { histogram[min(256, max(0, Int(v)))] += 1 }
    let wanted = max(1, mean.values.count / 1000)
    var seen = 0
    for (level, count) in histogram.enumerated() {
      seen += count
      if seen >= wanted { return Double(level) }
    }
    return 0
  }

  /// The 8-connected parts of `mask` that are thin (at most 1/40 of the height tall, or as narrow) or
  /// small (glyphs, ticks, markers).
  static func textLike(_ mask: ImageMask) -> ImageMask {
    let (w, h) = (mask.width, mask.height)
    let thin = max(6, h / 40)
    let small = max(60, w * h / 2000)
    var out = ImageMask(width: w, height: h, filled: false)
    var seen = [Bool](repeating: false, count: w * h)
    var stack: [Int] = []
    for start in 0..<(w * h) where mask.bits[start] && !seen[start] {
      var members: [Int] = []
      var (x0, x1, y0, y1) = (w, 0, h, 0)
      seen[start] = true
      stack.append(start)
      while let i = stack.popLast() {
        members.append(i)
        let (x, y) = (i % w, i / w)
        (x0, x1, y0, y1) = (min(x0, x), max(x1, x), min(y0, y), max(y1, y))
        for dy in -1...1 {
          for dx in -1...1 {
            let (nx, ny) = (x + dx, y + dy)
            guard nx >= 0, ny >= 0, nx < w, ny < h else { continue }
            let j = ny * w + nx
            if mask.bits[j], !seen[j] {
              seen[j] = true
              stack.append(j)
            }
          }
        }
      }
      if y1 - y0 + 1 <= thin || x1 - x0 + 1 <= thin || members.count <= small {
        for i in members { out.bits[i] = true }
      }
    }
    return out
  }

  static func dilated(_ mask: ImageMask) -> ImageMask {
    var out = mask
    for y in 0..<mask.height {
      for x in 0..<mask.width where !mask[x, y] {
        search: for dy in -1...1 {
          for dx in -1...1 {
            let (nx, ny) = (x + dx, y + dy)
            if nx >= 0, ny >= 0, nx < mask.width, ny < mask.height, mask[nx, ny] {
              out[x, y] = true
              break search
            }
          }
        }
      }
    }
    return out
  }

  static func eroded(_ mask: ImageMask) -> ImageMask {
    var inverse = mask
    for i in inverse.bits.indices { inverse.bits[i].toggle() }
    let grown = dilated(inverse)
    var out = mask
    for i in out.bits.indices { out.bits[i] = !grown.bits[i] }
    return out
  }

  /// The largest 4-connected set of pixels.
  static func largestComponent(_ mask: ImageMask) -> ImageMask {
    let (w, h) = (mask.width, mask.height)
    var label = [Int32](repeating: 0, count: w * h)
    var best: (label: Int32, size: Int) = (0, 0)
    var current: Int32 = 0
    var stack: [Int] = []
    for start in 0..<(w * h) where mask.bits[start] && label[start] == 0 {
      current += 1
      label[start] = current
      stack.append(start)
      var size = 0
      while let i = stack.popLast() {
        size += 1
        let (x, y) = (i % w, i / w)
        for (nx, ny) in [(x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)]
        where nx >= 0 && ny >= 0 && nx < w && ny < h {
          let j = ny * w + nx
          if mask.bits[j], label[j] == 0 {
            label[j] = current
            stack.append(j)
          }
        }
      }
      if size > best.size { best = (current, size) }
    }
    return ImageMask(width: w, height: h, bits: label.map { $0 == best.label && best.size > 0 })
  }

  /// The mask plus every unset area that does not reach the border.
  static func holesFilled(_ mask: ImageMask) -> ImageMask {
    let (w, h) = (mask.width, mask.height)
    var outside = [Bool](repeating: false, count: w * h)
    var stack: [Int] = []
    func seed(_ x: Int, _ y: Int) {
      let i = y * w + x
      if !mask.bits[i], !outside[i] {
        outside[i] = true
        stack.append(i)
      }
    }
    for y in 0..<h {
      seed(0, y)
      seed(w - 1, y)
    }
    for x in 0..<w {
      seed(x, 0)
      seed(x, h - 1)
    }
    while let i = stack.popLast() {
      let (x, y) = (i % w, i / w)
      for (nx, ny) in [(x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)]
      where nx >= 0 && ny >= 0 && nx < w && ny < h {
        seed(nx, ny)
      }
    }
    return ImageMask(width: w, height: h, bits: outside.map { !$0 })
  }
}
