// 3D convolution lowered to GEMM: forward and backward side by side.
//
// x (N, D, H, W, Ci) -> y (N, Do, Ho, Wo, Co); kernel (kd, kh, kw, Ci, Co) as in Keras, bias (Co).
// Lowering: col (M, Kv) holds, per output position, the input vectors under the kernel taps, and
// y = col x Wv + bias with Wv (Kv, Co) the kernel rows of those taps. Work is left out exactly
// where it would multiply zeros of the padding:
//   * a tap that falls in the padding for every output position is dropped from Wv (the 1x1
//     late stages keep 3 of 27 taps);
//   * output positions are grouped into tap classes (interior, faces, edges, corners) and each
//     class is lowered with only its own valid taps and multiplied by its own rows of the kernel.
// Backward: dWv += col^T x dy (class by class); for stride 1, dx += conv(dy, W flipped and
// transposed in channels) with padding k - 1 - p, lowered the same way (no scatter); for other
// strides dcol = dy x Wv^T and dx += col2vol(dcol). Columns are built in chunks of about 1 MB per
// worker and recomputed in backward instead of being kept.

import COpenBLAS

/// TensorFlow padding modes.
public enum Padding: String, Sendable, Codable {
  /// Output ceil(I / s); total padding (O - 1) * s + k - I, the odd pixel after.
  case same
  /// No padding; output (I - k) / s + 1.
  case valid
}

/// Geometry of one spatial axis of a convolution or pooling.
struct Axis: Equatable, Sendable {
  let input: Int
  let kernel: Int
  let stride: Int
  let output: Int
  let padBefore: Int
  /// Kernel offsets that land inside the input for at least one output position.
  let validTaps: [Int]

  init(input: Int, kernel: Int, stride: Int, padding: Padding) {
    switch padding {
    case .same:
      let output = (input + stride - 1) / stride
      self.init(
        input: input, kernel: kernel, stride: stride, output: output,
        padBefore: max((output - 1) * stride + kernel - input, 0) / 2)
    case .valid:
      self.init(
        input: input, kernel: kernel, stride: stride, output: (input - kernel) / stride + 1, padBefore: 0)
    }
  }

  init(input: Int, kernel: Int, stride: Int, output: Int, padBefore: Int) {
    self.input = input
    self.kernel = kernel
    self.stride = stride
    self.output = output
    self.padBefore = padBefore
    let (o, s, p) = (output, stride, padBefore)
    validTaps = (0..<kernel).filter { j in (0..<o).contains { i in (0..<input).contains(i * s - p + j) } }
  }

  /// The axis of the stride-1 backward-data convolution: dy (size `output`) in, dx (size `input`)
  /// out, flipped kernel, padding k - 1 - p before.
  var transposed: Axis {
    precondition(stride == 1, "only stride-1 axes transpose to a plain convolution")
    return Axis(input: output, kernel: kernel, stride: 1, output: input, padBefore: kernel - 1 - padBefore)
  }
}

/// Shape of one sample, channels-last.
public struct VolumeShape: Equatable, Sendable, Codable, CustomStringConvertible {
  public var depth: Int
  public var height: Int
  public var width: Int
  public var channels: Int

  public init(_ depth: Int, _ height: Int, _ width: Int, _ channels: Int) {
    self.depth = depth
    self.height = height
    self.width = width
    self.channels = channels
  }

  public var positions: Int { depth * height * width }
  public var count: Int { positions * channels }
  public var description: String { "\(depth)x\(height)x\(width)x\(channels)" }
}

/// Scratch memory shared by all layers of a model (used one layer at a time).
final class Workspace: @unchecked Sendable {
  /// Floats per worker per column chunk (1 MB, about L2): measured best of 0.5, 1, 4 and 16 MB.
  static let chunkFloats = 1 << 18
  let col = FloatBuffer(count: 0)
  let dcol = FloatBuffer(count: 0)
  let kernel = FloatBuffer(count: 0)
  let kernelT = FloatBuffer(count: 0)
  let kernelClasses = FloatBuffer(count: 0)
  let classGrad = FloatBuffer(count: 0)
  let kernelGrad = FloatBuffer(count: 0)
  let partials = FloatBuffer(count: 0)
}

/// Output positions of a convolution that see the same valid taps, and where those taps' rows
/// sit in the lowered kernel.
struct TapClass: Sendable {
  /// Positions within a sample, (od * Ho + oh) * Wo + ow.
  let positions: [Int32]
  let tapsD: [Int]
  let tapsH: [Int]
  let tapsW: [Int]
  /// First row in the lowered (Kv, Co) kernel of each tap of the class, in gather order.
  let kernelRows: [Int]
  /// Columns: taps x Ci.
  let kc: Int
}

/// The vol2col geometry of one convolution: which input vector lands in which column.
struct Lowering: Sendable {
  let input: VolumeShape
  let output: VolumeShape
  let axes: (d: Axis, h: Axis, w: Axis)
  /// Columns: valid taps x input channels.
  let kv: Int
  let taps: Int

  init(input: VolumeShape, output: VolumeShape, axes: (d: Axis, h: Axis, w: Axis)) {
    self.input = input
    self.output = output
    self.axes = axes
    taps = axes.d.validTaps.count * axes.h.validTaps.count * axes.w.validTaps.count
    kv = taps * input.channels
  }

  /// Flat index (d, h, w) into the full kernel of each valid tap, in column order.
  var validTapIndices: [Int] {
    var out: [Int] = []
    for a in axes.d.validTaps {
      for b in axes.h.validTaps {
        for c in axes.w.validTaps { out.append((a * axes.h.kernel + b) * axes.w.kernel + c) }
      }
    }
    return out
  }

  /// Output positions grouped by the taps that land inside the input for them: a position at a
  /// border has fewer. Lowering each group with only its taps skips the multiply-adds with padding.
  /// Nil when that saves under 5 % of the work.
  func tapClasses() -> [TapClass]? {
    func axisClasses(_ a: Axis) -> (ids: [Int], sets: [[Int]]) {
      var sets: [[Int]] = []
      var ids: [Int] = []
      for o in 0..<a.output {
        let taps = a.validTaps.filter { (0..<a.input).contains(o * a.stride - a.padBefore + $0) }
        if let i = sets.firstIndex(of: taps) {
          ids.append(i)
        } else {
          sets.append(taps)
          ids.append(sets.count - 1)
        }
      }
      return (ids, sets)
    }
    let (d, h, w) = (axisClasses(axes.d), axisClasses(axes.h), axisClasses(axes.w))
    // Every per-axis set must be a run of consecutive taps (true for TF padding and stride <= k).
    for set in d.sets + h.sets + w.sets where set.isEmpty || set.last! - set.first! + 1 != set.count {
      return nil
    }
    var classes: [TapClass] = []
    var work = 0
    for cd in d.sets.indices {
      for ch in h.sets.indices {
        for cw in w.sets.indices {
          var positions: [Int32] = []
          for od in 0..<output.depth where d.ids[od] == cd {
            for oh in 0..<output.height where h.ids[oh] == ch {
              for ow in 0..<output.width where w.ids[ow] == cw {
                positions.append(Int32((od * output.height + oh) * output.width + ow))
              }
            }
          }
          guard !positions.isEmpty else { continue }
          var rows: [Int] = []
          for jd in d.sets[cd] {
            for jh in h.sets[ch] {
              for jw in w.sets[cw] {
                let a = axes.d.validTaps.firstIndex(of: jd)!
                let b = axes.h.validTaps.firstIndex(of: jh)!
                let c = axes.w.validTaps.firstIndex(of: jw)!
                rows.append(((a * axes.h.validTaps.count + b) * axes.w.validTaps.count + c) * input.channels)
              }
            }
          }
          let cls = TapClass(
            positions: positions, tapsD: d.sets[cd], tapsH: h.sets[ch], tapsW: w.sets[cw], kernelRows: rows,
            kc: rows.count * input.channels)
          work += positions.count * cls.kc
          classes.append(cls)
        }
      }
    }
    return Double(work) < 0.95 * Double(output.positions * kv) ? classes : nil
  }

  /// Gathers the columns of `rows` of a tap class (all taps inside the input by construction):
  /// row f is sample `firstSample + f / count`, position `positions[f % count]`.
  /// `col` must have `FloatBuffer.slack` floats past the chunk; `end` bounds reads from x.
  func gather(
    _ x: SharedPointer<Float>, tapClass t: TapClass, firstSample: Int, rows: Range<Int>,
    col: SharedPointer<Float>, end: UnsafeMutablePointer<Float>
  ) {
    let ci = input.channels
    let (hIn, wIn) = (input.height, input.width)
    let (ho, wo) = (output.height, output.width)
    let (ad, ah, aw) = axes
    let run = t.tapsW.count * ci
    let count = t.positions.count
    var dst = col.base
    for f in rows {
      let n = firstSample + f / count
      var p = Int(t.positions[f % count])
      let ow = p % wo
      p /= wo
      let oh = p % ho
      let od = p / ho
      let base = x.base + n * input.count
      let iw = ow * aw.stride - aw.padBefore + t.tapsW[0]
      for jd in t.tapsD {
        let id = od * ad.stride - ad.padBefore + jd
        for jh in t.tapsH {
          let ih = oh * ah.stride - ah.padBefore + jh
          let src = base + ((id * hIn + ih) * wIn + iw) * ci
          if run <= 8 && src + 8 <= end {
            // Short runs (conv1: 7 grey values): one 8-lane copy; the extra lane lands on the next
            // column, written after, or on the buffer's slack.
            UnsafeMutableRawPointer(dst).storeBytes(
              of: UnsafeRawPointer(src).loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
          } else if run <= 16 {
            for k in 0..<run { dst[k] = src[k] }
          } else {
            dst.update(from: src, count: run)
          }
          dst += run
        }
      }
    }
  }

  /// Fills rows `rows` of the column matrix (row r of the batch at `col + (r - first) * Kv`).
  func vol2col(_ x: SharedPointer<Float>, rows: Range<Int>, first: Int, col: SharedPointer<Float>) {
    let (ad, ah, aw) = axes
    let ci = input.channels
    let (hIn, wIn) = (input.height, input.width)
    let sampleIn = input.count
    let (ho, wo) = (output.height, output.width)
    let positions = output.positions
    let (td, th, tw) = (ad.validTaps, ah.validTaps, aw.validTaps)
    let rowH = th.count * tw.count * ci
    let rowW = tw.count * ci
    let runFirst = tw.first ?? 0
    let runCount = tw.count
    let contiguous = tw.last.map { $0 - runFirst + 1 == runCount } ?? false
    for r in rows {
      let n = r / positions
      var p = r % positions
      let ow = p % wo
      p /= wo
      let oh = p % ho
      let od = p / ho
      var dst = col.base + (r - first) * kv
      let base = x.base + n * sampleIn
      for jd in td {
        let id = od * ad.stride - ad.padBefore + jd
        if id < 0 || id >= ad.input {
          dst.update(repeating: 0, count: rowH)
          dst += rowH
          continue
        }
        for jh in th {
          let ih = oh * ah.stride - ah.padBefore + jh
          if ih < 0 || ih >= hIn {
            dst.update(repeating: 0, count: rowW)
            dst += rowW
            continue
          }
          let line = base + (id * hIn + ih) * wIn * ci
          // Common case: the valid W taps are consecutive and all inside the input, so the whole
          // run of tw * Ci floats is contiguous in x.
          let firstW = ow * aw.stride - aw.padBefore + runFirst
          if contiguous && firstW >= 0 && firstW + runCount <= wIn {
            dst.update(from: line + firstW * ci, count: rowW)
            dst += rowW
            continue
          }
          for jw in tw {
            let iw = ow * aw.stride - aw.padBefore + jw
            if iw < 0 || iw >= wIn {
              if ci == 1 { dst.pointee = 0 } else { dst.update(repeating: 0, count: ci) }
            } else if ci == 1 {
              dst.pointee = line[iw]
            } else {
              dst.update(from: line + iw * ci, count: ci)
            }
            dst += ci
          }
        }
      }
    }
  }

  /// dx[.., c] += the column entries of rows `rows` for channels `channels`.
  func col2vol(
    _ dcol: SharedPointer<Float>, rows: Range<Int>, first: Int, channels: Range<Int>, dx: SharedPointer<Float>
  ) {
    let (ad, ah, aw) = axes
    let ci = input.channels
    let (hIn, wIn) = (input.height, input.width)
    let sampleIn = input.count
    let (ho, wo) = (output.height, output.width)
    let positions = output.positions
    let (td, th, tw) = (ad.validTaps, ah.validTaps, aw.validTaps)
    let rowH = th.count * tw.count * ci
    let rowW = tw.count * ci
    let (c0, c1) = (channels.lowerBound, channels.upperBound)
    for r in rows {
      let n = r / positions
      var p = r % positions
      let ow = p % wo
      p /= wo
      let oh = p % ho
      let od = p / ho
      var src = UnsafePointer(dcol.base + (r - first) * kv)
      let base = dx.base + n * sampleIn
      for jd in td {
        let id = od * ad.stride - ad.padBefore + jd
        if id < 0 || id >= ad.input {
          src += rowH
          continue
        }
        for jh in th {
          let ih = oh * ah.stride - ah.padBefore + jh
          if ih < 0 || ih >= hIn {
            src += rowW
            continue
          }
          let line = base + (id * hIn + ih) * wIn * ci
          for jw in tw {
            let iw = ow * aw.stride - aw.padBefore + jw
            if iw >= 0 && iw < wIn {
              let out = line + iw * ci
              for c in c0..<c1 { out[c] += src[c] }
            }
            src += ci
          }
        }
      }
    }
  }
}

final class Conv3D {
  let name: String
  let input: VolumeShape
  let output: VolumeShape
  let kernel: Parameter
  let bias: Parameter
  /// Input channels stored in the kernel (3 for RGB) folded into one computed channel: the grey
  /// saving of conv1, exact when all input channels are equal.
  let fold: Int
  let lowering: Lowering
  /// The backward-data convolution of a stride-1 conv (nil for strided ones, which scatter).
  let transposed: Lowering?
  /// Tap classes of the forward and backward-data convolutions, when they save work.
  let classes: [TapClass]?
  let transposedClasses: [TapClass]?
  /// Whether the lowered kernel differs from the stored one (some taps left out, or folded).
  let lowered: Bool
  /// 1x1x1 stride 1: the input is its own column matrix.
  let pointwise: Bool
  var kv: Int { lowering.kv }
  var axes: (d: Axis, h: Axis, w: Axis) { lowering.axes }

  /// - Parameters:
  ///   - input: per-sample input shape as computed (channels 1 when `fold` > 1).
  ///   - fold: stored input channels per computed channel (1 normally).
  init(
    name: String, input: VolumeShape, filters: Int, kernel k: Int, stride: [Int], padding: Padding,
    fold: Int = 1
  ) {
    self.name = name
    self.input = input
    self.fold = fold
    let axes = (
      Axis(input: input.depth, kernel: k, stride: stride[0], padding: padding),
      Axis(input: input.height, kernel: k, stride: stride[1], padding: padding),
      Axis(input: input.width, kernel: k, stride: stride[2], padding: padding)
    )
    output = VolumeShape(axes.0.output, axes.1.output, axes.2.output, filters)
    lowering = Lowering(input: input, output: output, axes: axes)
    let storedChannels = input.channels * fold
    kernel = Parameter(
      name: name + ".kernel", shape: [k, k, k, storedChannels, filters], regularized: true)
    bias = Parameter(name: name + ".bias", shape: [filters])
    lowered = fold > 1 || lowering.taps != k * k * k
    pointwise = k == 1 && stride == [1, 1, 1] && fold == 1
    if stride == [1, 1, 1] && k > 1 && fold == 1 {
      transposed = Lowering(
        input: output, output: input, axes: (axes.0.transposed, axes.1.transposed, axes.2.transposed))
    } else {
      transposed = nil
    }
    classes = pointwise ? nil : lowering.tapClasses()
    transposedClasses = transposed?.tapClasses()
  }

  var fanIn: Int { kernel.shape[0] * kernel.shape[1] * kernel.shape[2] * kernel.shape[3] }

  // MARK: Lowered kernels

  /// The (Kv, Co) kernel the GEMMs use: the stored kernel, or its valid-tap rows summed over
  /// folded channels, written to `ws.kernel`.
  private func loweredKernel(_ ws: Workspace) -> UnsafePointer<Float> {
    guard lowered else { return UnsafePointer(kernel.value.pointer) }
    let co = output.channels
    let ci = input.channels
    ws.kernel.resize(kv * co)
    let dst = ws.kernel.pointer
    let src = kernel.value.pointer
    for (t, storedTap) in lowering.validTapIndices.enumerated() {
      for c in 0..<ci {
        let out = dst + (t * ci + c) * co
        let first = src + ((storedTap * ci + c) * fold) * co
        out.update(from: first, count: co)
        for f in 1..<max(fold, 1) {
          let more = first + f * co
          for o in 0..<co { out[o] += more[o] }
        }
      }
    }
    return UnsafePointer(dst)
  }

  /// The (taps' * Co, Ci) kernel of the backward-data convolution: tap j' is the stored tap
  /// k - 1 - j' on every axis, with input and output channels swapped. Written to `ws.kernelT`.
  private func transposedKernel(_ t: Lowering, _ ws: Workspace) -> UnsafePointer<Float> {
    let (co, ci) = (output.channels, input.channels)
    let (kd, kh, kw) = (kernel.shape[0], kernel.shape[1], kernel.shape[2])
    ws.kernelT.resize(t.kv * ci)
    let dst = ws.kernelT.pointer
    let src = kernel.value.pointer
    var row = 0
    for a in t.axes.d.validTaps {
      for b in t.axes.h.validTaps {
        for c in t.axes.w.validTaps {
          let stored = ((kd - 1 - a) * kh + (kh - 1 - b)) * kw + (kw - 1 - c)
          let block = src + stored * ci * co
          for o in 0..<co {
            let out = dst + (row + o) * ci
            for i in 0..<ci { out[i] = block[i * co + o] }
          }
          row += co
        }
      }
    }
    return UnsafePointer(dst)
  }

  /// Adds the gradient of the lowered kernel (in `ws.kernelGrad`) to the stored kernel's gradient:
  /// each folded channel receives the same tensor.
  private func scatterLoweredGradient(_ ws: Workspace) {
    let co = output.channels
    let ci = input.channels
    let src = ws.kernelGrad.pointer
    let dst = kernel.grad.pointer
    for (t, storedTap) in lowering.validTapIndices.enumerated() {
      for c in 0..<ci {
        let g = src + (t * ci + c) * co
        for f in 0..<fold {
          let out = dst + ((storedTap * ci + c) * fold + f) * co
          for o in 0..<co { out[o] += g[o] }
        }
      }
    }
  }

  // MARK: Forward / backward
  //
  // Work is split by whole samples: worker i owns samples `piece(i)`, lowers them chunk by chunk
  // into its own part of the column buffer and runs its own single-threaded GEMMs, with no barrier
  // inside a layer. Kernel gradients go to per-worker partials summed in worker order afterwards,
  // and scatter-adds into dx never cross samples, so results are deterministic for a thread count.

  /// Rows per chunk for `kv` columns (each worker holds one chunk at a time).
  private static func chunkRows(kv: Int, limit: Int) -> Int {
    max(1, min(limit, max(64, Workspace.chunkFloats / kv)))
  }

  /// y = conv(x) + bias. x (N, D, H, W, Ci), y (N, Do, Ho, Wo, Co).
  /// With `accumulate`, y += conv(x) + bias (the residual add of a shortcut).
  func forward(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, batch: Int, ws: Workspace, workers: Workers,
    accumulate: Bool = false
  ) {
    let w = SharedPointer(loweredKernel(ws))
    let co = output.channels
    let b = SharedPointer(bias.value.pointer)
    let py = SharedPointer(y)
    if let classes {
      multiplyByClass(
        lowering, classes, kernel: w.base, co: co, source: x, dest: y, bias: bias.value.pointer,
        accumulate: accumulate, batch: batch, ws: ws, workers: workers)
      return
    }
    lowerAndMultiply(
      lowering, source: x, batch: batch, ws: ws, workers: workers, direct: pointwise
    ) { _, rows, a, kv in
      let out = py.base + rows.lowerBound * co
      for r in 0..<rows.count {
        let row = out + r * co
        if accumulate {
          for o in 0..<co { row[o] += b[o] }
        } else {
          row.update(from: b.base, count: co)
        }
      }
      cblas_sgemm(
        CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows.count), Int32(co), Int32(kv), 1,
        a, Int32(kv), w.base, Int32(co), 1, out, Int32(co))
    }
  }

  /// For each worker's samples, chunk by chunk: the column matrix of `rows` (lowered from
  /// `source`, or `source` itself when `direct`) is handed to `body(rows, col, kv)`.
  private func lowerAndMultiply(
    _ l: Lowering, source: UnsafePointer<Float>, batch: Int, ws: Workspace, workers: Workers, direct: Bool,
    body: (_ worker: Int, _ rows: Range<Int>, _ col: UnsafePointer<Float>, _ kv: Int) -> Void
  ) {
    let kv = l.kv
    let positions = l.output.positions
    let chunk = Self.chunkRows(kv: kv, limit: batch * positions)
    if !direct { ws.col.resize(workers.count * chunk * kv) }
    let col = SharedPointer(ws.col.pointer)
    let src = SharedPointer(source)
    workers.splitIndexed(batch) { index, samples in
      let mine = col + index * chunk * kv
      var first = samples.lowerBound * positions
      let end = samples.upperBound * positions
      while first < end {
        let rows = first..<min(end, first + chunk)
        if direct {
          body(index, rows, UnsafePointer(src.base + rows.lowerBound * kv), kv)
        } else {
          l.vol2col(src, rows: rows, first: rows.lowerBound, col: mine)
          body(index, rows, UnsafePointer(mine.base), kv)
        }
        first = rows.upperBound
      }
    }
  }

  /// Accumulates the kernel and bias gradients and, when `dx` is given, dx += dL/dx.
  func backward(
    _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>?,
    batch: Int, ws: Workspace, workers: Workers
  ) {
    let co = output.channels
    let ci = input.channels
    let kv = self.kv
    let lowering = self.lowering
    let m = batch * output.positions
    let pdy = SharedPointer(dy)

    // Bias: per-worker partial column sums, combined in worker order.
    ws.partials.resize(workers.count * co)
    ws.partials.zero()
    let partials = SharedPointer(ws.partials.pointer)
    workers.splitIndexed(m, grain: 64) { index, rows in
      let acc = partials + index * co
      for r in rows {
        let g = pdy + r * co
        for o in 0..<co { acc[o] += g[o] }
      }
    }
    for i in 0..<workers.count {
      for o in 0..<co { bias.grad.pointer[o] += ws.partials.pointer[i * co + o] }
    }

    // Kernel: dWv (Kv, Co) += col^T x dy into per-worker partials.
    let w = SharedPointer(loweredKernel(ws))
    ws.kernelGrad.resize(workers.count * kv * co)
    ws.kernelGrad.zero()
    let dwParts = SharedPointer(ws.kernelGrad.pointer)
    let scatter = dx != nil && transposed == nil && !pointwise
    let chunk = Self.chunkRows(kv: kv, limit: m)
    if scatter { ws.dcol.resize(workers.count * chunk * kv) }
    let dcolBase = SharedPointer(ws.dcol.pointer)
    let pdx = dx.map { SharedPointer($0) }
    let pointwise = self.pointwise
    let byClass = classes != nil
    if let classes {
      kernelGradientByClass(classes, x, dy, parts: dwParts, batch: batch, ws: ws, workers: workers)
    }
    if !byClass || scatter {
      lowerAndMultiply(lowering, source: x, batch: batch, ws: ws, workers: workers, direct: pointwise) {
        index, rows, a, kv in
        let g = pdy.base + rows.lowerBound * co
        if !byClass {
          cblas_sgemm(
            CblasRowMajor, CblasTrans, CblasNoTrans, Int32(kv), Int32(co), Int32(rows.count), 1,
            a, Int32(kv), g, Int32(co), 1, dwParts.base + index * kv * co, Int32(co))
        }
        guard let pdx else { return }
        if pointwise {
          // dx (rows, Ci) += dy (rows, Co) x W^T
          cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows.count), Int32(ci), Int32(co), 1,
            g, Int32(co), w.base, Int32(co), 1, pdx.base + rows.lowerBound * ci, Int32(ci))
        } else if scatter {
          // dcol = dy x Wv^T, scattered into this worker's own samples of dx.
          let dcol = dcolBase + index * chunk * kv
          cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows.count), Int32(kv), Int32(co), 1,
            g, Int32(co), w.base, Int32(co), 0, dcol.base, Int32(kv))
          lowering.col2vol(dcol, rows: rows, first: rows.lowerBound, channels: 0..<ci, dx: pdx)
        }
      }
    }
    // Sum the partials in worker order into the first, then into the stored kernel's gradient.
    let total = kv * co
    workers.split(total, grain: 4096) { range in
      for i in 1..<max(workers.count, 1) {
        let part = dwParts + i * total
        for j in range { dwParts[j] += part[j] }
      }
    }
    if lowered {
      scatterLoweredGradient(ws)
    } else {
      let dst = SharedPointer(kernel.grad.pointer)
      workers.split(total, grain: 4096) { range in
        for j in range { dst[j] += dwParts[j] }
      }
    }
    if let dx, let t = transposed { backwardData(t, dy, dx, batch: batch, ws: ws, workers: workers) }
  }

  /// dx += conv(dy, flipped transposed kernel) for stride-1 convolutions: lowered like a forward
  /// convolution, each worker owning whole samples of dx (no scatter, deterministic).
  private func backwardData(
    _ t: Lowering, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, batch: Int, ws: Workspace,
    workers: Workers
  ) {
    let wt = SharedPointer(transposedKernel(t, ws))
    let ci = input.channels
    let pdx = SharedPointer(dx)
    if let transposedClasses {
      multiplyByClass(
        t, transposedClasses, kernel: wt.base, co: ci, source: dy, dest: dx, bias: nil, accumulate: true,
        batch: batch, ws: ws, workers: workers)
      return
    }
    lowerAndMultiply(t, source: dy, batch: batch, ws: ws, workers: workers, direct: false) {
      _, rows, a, kvt in
      cblas_sgemm(
        CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows.count), Int32(ci), Int32(kvt), 1,
        a, Int32(kvt), wt.base, Int32(ci), 1, pdx.base + rows.lowerBound * ci, Int32(ci))
    }
  }

  /// dest (=|+=) bias + conv(source) computed class by class: each class's columns hold only its
  /// valid taps and multiply its own (Kc, Co) kernel rows; results go to temp rows, then to
  /// their positions. `kernel` is the lowered (Kv, Co) kernel of `l`.
  private func multiplyByClass(
    _ l: Lowering, _ classes: [TapClass], kernel: UnsafeMutablePointer<Float>, co: Int,
    source: UnsafePointer<Float>, dest: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?,
    accumulate: Bool, batch: Int, ws: Workspace, workers: Workers
  ) {
    // Class kernels, one after the other.
    var offsets: [Int] = []
    var total = 0
    for c in classes {
      offsets.append(total)
      total += c.kc * co
    }
    ws.kernelClasses.resize(total)
    let kc = ws.kernelClasses.pointer
    let ci = l.input.channels
    for (c, start) in zip(classes, offsets) {
      var dst = kc + start
      for row in c.kernelRows {
        dst.update(from: kernel + row * co, count: ci * co)
        dst += ci * co
      }
    }
    let chunks = classes.map { Self.chunkRows(kv: $0.kc, limit: batch * $0.positions.count) }
    let maxRows = chunks.max() ?? 1
    // Slack between workers' chunks: short-run copies may overshoot a chunk by up to 7 floats.
    let colStride = (zip(chunks, classes).map { $0 * $1.kc }.max() ?? 1) + FloatBuffer.slack
    ws.col.resize(workers.count * colStride)
    ws.dcol.resize(workers.count * maxRows * co)
    let col = SharedPointer(ws.col.pointer)
    let tmpBase = SharedPointer(ws.dcol.pointer)
    let (src, out, kernels) = (SharedPointer(source), SharedPointer(dest), SharedPointer(kc))
    let srcEnd = src.base + batch * l.input.count
    let b = bias.map { SharedPointer($0) }
    let positions = l.output.positions
    // Small late stages: a worker's share of samples gives GEMMs of a few rows that repack the
    // whole class kernel each time, so there workers take all samples and half the output columns.
    let splitColumns =
      workers.count > 1 && (batch / workers.count) * positions <= 256 && co >= 32 * workers.count
    workers.splitIndexed(splitColumns ? co : batch) { index, range in
      let samples = splitColumns ? 0..<batch : range
      let cols = splitColumns ? range : 0..<co
      let mine = col + index * colStride
      // Column mode shares one temp matrix (workers own disjoint columns of it).
      let tmp = tmpBase + (splitColumns ? 0 : index * maxRows * co)
      for (c, start) in zip(classes, offsets) {
        let count = c.positions.count
        let all = samples.count * count
        let chunk = Self.chunkRows(kv: c.kc, limit: all)
        var first = 0
        while first < all {
          let rows = first..<min(all, first + chunk)
          l.gather(src, tapClass: c, firstSample: samples.lowerBound, rows: rows, col: mine, end: srcEnd)
          cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows.count), Int32(cols.count), Int32(c.kc), 1,
            mine.base, Int32(c.kc), kernels.base + start + cols.lowerBound, Int32(co), 0,
            tmp.base + cols.lowerBound, Int32(co))
          let (c0, c1) = (cols.lowerBound, cols.upperBound)
          for f in rows {
            let n = samples.lowerBound + f / count
            let y = out.base + (n * positions + Int(c.positions[f % count])) * co
            let t = tmp.base + (f - rows.lowerBound) * co
            switch (accumulate, b) {
            case (false, let b?): for o in c0..<c1 { y[o] = t[o] + b[o] }
            case (true, let b?): for o in c0..<c1 { y[o] += t[o] + b[o] }
            case (false, nil): for o in c0..<c1 { y[o] = t[o] }
            case (true, nil): for o in c0..<c1 { y[o] += t[o] }
            }
          }
          first = rows.upperBound
        }
      }
    }
  }

  /// Kernel gradient class by class: for each class, dWc (Kc, Co) = col_c^T x dy_c over the
  /// worker's rows, then added to the rows of its taps in the worker's partial (Kv, Co).
  private func kernelGradientByClass(
    _ classes: [TapClass], _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, parts: SharedPointer<Float>,
    batch: Int, ws: Workspace, workers: Workers
  ) {
    let (co, ci, kvAll, positions) = (output.channels, input.channels, kv, output.positions)
    let l = lowering
    let chunks = classes.map { Self.chunkRows(kv: $0.kc, limit: batch * $0.positions.count) }
    let maxRows = chunks.max() ?? 1
    // Slack between workers' chunks: short-run copies may overshoot a chunk by up to 7 floats.
    let colStride = (zip(chunks, classes).map { $0 * $1.kc }.max() ?? 1) + FloatBuffer.slack
    let maxKc = classes.map(\.kc).max() ?? 1
    ws.col.resize(workers.count * colStride)
    ws.dcol.resize(workers.count * maxRows * co)
    ws.classGrad.resize(workers.count * maxKc * co)
    let (col, dyRows, grads) = (
      SharedPointer(ws.col.pointer), SharedPointer(ws.dcol.pointer), SharedPointer(ws.classGrad.pointer)
    )
    let (src, pdy) = (SharedPointer(x), SharedPointer(dy))
    let srcEnd = src.base + batch * l.input.count
    workers.splitIndexed(batch) { index, samples in
      let mine = col + index * colStride
      let g = dyRows + index * maxRows * co
      let acc = grads + index * maxKc * co
      let part = parts + index * kvAll * co
      for (c, chunk) in zip(classes, chunks) {
        let count = c.positions.count
        let all = samples.count * count
        guard all > 0 else { continue }
        var first = 0
        var beta: Float = 0
        while first < all {
          let rows = first..<min(all, first + chunk)
          l.gather(src, tapClass: c, firstSample: samples.lowerBound, rows: rows, col: mine, end: srcEnd)
          for f in rows {
            let n = samples.lowerBound + f / count
            (g + (f - rows.lowerBound) * co).base.update(
              from: pdy.base + (n * positions + Int(c.positions[f % count])) * co, count: co)
          }
          cblas_sgemm(
            CblasRowMajor, CblasTrans, CblasNoTrans, Int32(c.kc), Int32(co), Int32(rows.count), 1,
            mine.base, Int32(c.kc), g.base, Int32(co), beta, acc.base, Int32(co))
          beta = 1
          first = rows.upperBound
        }
        for (t, row) in c.kernelRows.enumerated() {
          let from = acc + t * ci * co
          let to = part + row * co
          for i in 0..<(ci * co) { to[i] += from[i] }
        }
      }
    }
  }
}
