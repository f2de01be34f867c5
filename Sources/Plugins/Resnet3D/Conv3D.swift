// 3D convolution lowered to GEMM: forward and backward side by side.
//
// x (N, D, H, W, Ci) -> y (N, Do, Ho, Wo, Co); kernel (kd, kh, kw, Ci, Co) as in Keras, bias (Co).
// Lowering: col (M, Kv) holds, per output position, the input vectors under the *valid* taps
// (a tap that falls in the padding for every output position contributes nothing and is left
// out, which matters in the small late stages); y = col x Wv + bias with Wv (Kv, Co) the kernel
// rows of those taps. Backward: dWv += col^T x dy, dcol = dy x Wv^T, dx += col2vol(dcol).
// The column buffer is processed in row chunks so it stays small, and is recomputed in backward
// instead of being kept.

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
    self.input = input
    self.kernel = kernel
    self.stride = stride
    switch padding {
    case .same:
      output = (input + stride - 1) / stride
      padBefore = max((output - 1) * stride + kernel - input, 0) / 2
    case .valid:
      output = (input - kernel) / stride + 1
      padBefore = 0
    }
    let (o, s, p) = (output, stride, padBefore)
    validTaps = (0..<kernel).filter { j in (0..<o).contains { i in (0..<input).contains(i * s - p + j) } }
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
  /// Floats per column chunk; about 24 MB keeps each GEMM large and the buffer cache-friendly.
  static let chunkFloats = 6 << 20
  let col = FloatBuffer(count: 0)
  let dcol = FloatBuffer(count: 0)
  let kernel = FloatBuffer(count: 0)
  let kernelGrad = FloatBuffer(count: 0)
  let partials = FloatBuffer(count: 0)
}

final class Conv3D {
  let name: String
  let input: VolumeShape
  let output: VolumeShape
  let axes: (d: Axis, h: Axis, w: Axis)
  let kernel: Parameter
  let bias: Parameter
  /// Input channels stored in the kernel (3 for RGB) folded into one computed channel: the grey
  /// saving of conv1, exact when all input channels are equal.
  let fold: Int
  /// Rows of the lowered kernel: valid taps x computed input channels.
  let kv: Int
  /// Whether the lowered kernel differs from the stored one (some taps left out, or folded).
  let lowered: Bool
  /// 1x1x1 stride 1: the input is its own column matrix.
  let pointwise: Bool

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
    axes = (
      Axis(input: input.depth, kernel: k, stride: stride[0], padding: padding),
      Axis(input: input.height, kernel: k, stride: stride[1], padding: padding),
      Axis(input: input.width, kernel: k, stride: stride[2], padding: padding)
    )
    output = VolumeShape(axes.d.output, axes.h.output, axes.w.output, filters)
    let storedChannels = input.channels * fold
    kernel = Parameter(
      name: name + ".kernel", shape: [k, k, k, storedChannels, filters], regularized: true)
    bias = Parameter(name: name + ".bias", shape: [filters])
    let taps = axes.d.validTaps.count * axes.h.validTaps.count * axes.w.validTaps.count
    kv = taps * input.channels
    lowered = fold > 1 || taps != k * k * k
    pointwise = k == 1 && stride == [1, 1, 1] && fold == 1
  }

  var fanIn: Int { kernel.shape[0] * kernel.shape[1] * kernel.shape[2] * kernel.shape[3] }

  /// Rows of the column matrix processed per chunk.
  private func chunkRows(_ m: Int) -> Int {
    pointwise ? m : min(m, max(256, Workspace.chunkFloats / kv))
  }

  // MARK: Lowered kernel

  /// The (Kv, Co) kernel the GEMMs use: the stored kernel, or its valid-tap rows summed over
  /// folded channels, written to `ws.kernel`.
  private func loweredKernel(_ ws: Workspace) -> UnsafePointer<Float> {
    guard lowered else { return UnsafePointer(kernel.value.pointer) }
    let co = output.channels
    let ci = input.channels
    ws.kernel.resize(kv * co)
    let dst = ws.kernel.pointer
    let src = kernel.value.pointer
    var row = 0
    forEachValidTap { storedTap in
      for c in 0..<ci {
        let out = dst + (row + c) * co
        let first = src + ((storedTap * ci + c) * fold) * co
        out.update(from: first, count: co)
        for f in 1..<max(fold, 1) {
          let more = first + f * co
          for o in 0..<co { out[o] += more[o] }
        }
      }
      row += ci
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
    var row = 0
    forEachValidTap { storedTap in
      for c in 0..<ci {
        let g = src + (row + c) * co
        for f in 0..<fold {
          let out = dst + ((storedTap * ci + c) * fold + f) * co
          for o in 0..<co { out[o] += g[o] }
        }
      }
      row += ci
    }
  }

  private func forEachValidTap(_ body: (Int) -> Void) {
    let (kh, kw) = (axes.h.kernel, axes.w.kernel)
    for a in axes.d.validTaps {
      for b in axes.h.validTaps {
        for c in axes.w.validTaps { body((a * kh + b) * kw + c) }
      }
    }
  }

  // MARK: vol2col / col2vol

  /// Fills rows `rows` of the column matrix (row r of the batch at `col + (r - first) * Kv`).
  private func vol2col(
    _ x: SharedPointer<Float>, rows: Range<Int>, first: Int, col: SharedPointer<Float>
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
  private func col2vol(
    _ dcol: SharedPointer<Float>, rows: Range<Int>, first: Int, channels: Range<Int>,
    dx: SharedPointer<Float>
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

  // MARK: Forward / backward

  /// y = conv(x) + bias. x (N, D, H, W, Ci), y (N, Do, Ho, Wo, Co).
  /// With `accumulate`, y += conv(x) + bias (the residual add of a shortcut).
  func forward(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, batch: Int, ws: Workspace, workers: Workers,
    accumulate: Bool = false
  ) {
    let w = SharedPointer(loweredKernel(ws))
    let co = output.channels
    let m = batch * output.positions
    let px = SharedPointer(x)
    let py = SharedPointer(y)
    let b = SharedPointer(bias.value.pointer)
    let chunk = chunkRows(m)
    if !pointwise { ws.col.resize(chunk * kv) }
    let col = SharedPointer(ws.col.pointer)
    var first = 0
    while first < m {
      let rows = first..<min(m, first + chunk)
      let start = first
      // Each worker lowers its own rows and multiplies them: no barrier between the two.
      workers.split(rows.count, grain: 32) { part in
        let mine = (start + part.lowerBound)..<(start + part.upperBound)
        let a: SharedPointer<Float>
        if pointwise {
          a = px + mine.lowerBound * kv
        } else {
          vol2col(px, rows: mine, first: start, col: col)
          a = col + part.lowerBound * kv
        }
        let out = py + mine.lowerBound * co
        for r in 0..<mine.count {
          let row = out + r * co
          if accumulate {
            for o in 0..<co { row[o] += b[o] }
          } else {
            row.base.update(from: b.base, count: co)
          }
        }
        cblas_sgemm(
          CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(mine.count), Int32(co), Int32(kv), 1,
          a.base, Int32(kv), w.base, Int32(co), 1, out.base, Int32(co))
      }
      first = rows.upperBound
    }
  }

  /// Accumulates the kernel and bias gradients and, when `dx` is given, dx += dL/dx.
  func backward(
    _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>?,
    batch: Int, ws: Workspace, workers: Workers
  ) {
    let co = output.channels
    let ci = input.channels
    let m = batch * output.positions
    let px = SharedPointer(x)
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

    let w = loweredKernel(ws)
    let dw: UnsafeMutablePointer<Float>
    if lowered {
      ws.kernelGrad.resize(kv * co)
      ws.kernelGrad.zero()
      dw = ws.kernelGrad.pointer
    } else {
      dw = kernel.grad.pointer
    }
    let chunk = chunkRows(m)
    if !pointwise {
      ws.col.resize(chunk * kv)
      if dx != nil { ws.dcol.resize(chunk * kv) }
    }
    let col = SharedPointer(ws.col.pointer)
    let dcol = SharedPointer(ws.dcol.pointer)
    var first = 0
    while first < m {
      let rows = first..<min(m, first + chunk)
      let start = first
      let a: UnsafePointer<Float>
      if pointwise {
        a = x + start * kv
      } else {
        workers.split(rows.count, grain: 32) { part in
          vol2col(px, rows: (start + part.lowerBound)..<(start + part.upperBound), first: start, col: col)
        }
        a = UnsafePointer(col.base)
      }
      // dWv (Kv, Co) += col^T (Kv, rows) x dy (rows, Co)
      gemm(
        workers, transA: true, transB: false, m: kv, n: co, k: rows.count, a: a, lda: kv,
        b: dy + start * co, ldb: co, beta: 1, c: dw, ldc: co)
      if let dx {
        if pointwise {
          // dx (rows, Ci) += dy (rows, Co) x W^T
          gemm(
            workers, transA: false, transB: true, m: rows.count, n: ci, k: co, a: dy + start * co,
            lda: co, b: w, ldb: co, beta: 1, c: dx + start * ci, ldc: ci)
        } else {
          gemm(
            workers, transA: false, transB: true, m: rows.count, n: kv, k: co, a: dy + start * co,
            lda: co, b: w, ldb: co, beta: 0, c: dcol.base, ldc: kv)
          let pdx = SharedPointer(dx)
          // Workers own disjoint channel ranges of dx, so the scatter-add has no races.
          workers.split(ci, grain: 8) { channels in
            col2vol(dcol, rows: rows, first: start, channels: channels, dx: pdx)
          }
        }
      }
      first = rows.upperBound
    }
    if lowered { scatterLoweredGradient(ws) }
  }
}
