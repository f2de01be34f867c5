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
  convenience init(
    name: String, input: VolumeShape, filters: Int, kernel k: Int, stride: [Int], padding: Padding,
    fold: Int = 1
  ) {
    self.init(
      name: name, input: input, filters: filters, kernelSize: [k, k, k], stride: stride, padding: padding,
      fold: fold)
  }

  /// - Parameter kernelSize: (kd, kh, kw); the 2D network's are (1, k, k).
  init(
    name: String, input: VolumeShape, filters: Int, kernelSize: [Int], stride: [Int], padding: Padding,
    fold: Int = 1
  ) {
    self.name = name
    self.input = input
    self.fold = fold
    let axes = (
      Axis(input: input.depth, kernel: kernelSize[0], stride: stride[0], padding: padding),
      Axis(input: input.height, kernel: kernelSize[1], stride: stride[1], padding: padding),
      Axis(input: input.width, kernel: kernelSize[2], stride: stride[2], padding: padding)
    )
    output = VolumeShape(axes.0.output, axes.1.output, axes.2.output, filters)
    lowering = Lowering(input: input, output: output, axes: axes)
    let storedChannels = input.channels * fold
    kernel = Parameter(
      name: name + ".kernel", shape: kernelSize + [storedChannels, filters], regularized: true)
    bias = Parameter(name: name + ".bias", shape: [filters])
    lowered = fold > 1 || lowering.taps != kernelSize.reduce(1, *)
    let unitKernel = kernelSize == [1, 1, 1]
    pointwise = unitKernel && stride == [1, 1, 1] && fold == 1
    if stride == [1, 1, 1] && !unitKernel && fold == 1 {
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
  /// `stored`: a kernel in the stored layout to lower instead of the parameter's (the inference
  /// network's batch-norm-folded copy).
  private func loweredKernel(_ ws: Workspace, stored: UnsafePointer<Float>? = nil) -> UnsafePointer<Float> {
    let src = UnsafeMutablePointer(mutating: stored ?? UnsafePointer(kernel.value.pointer))
    guard lowered else { return UnsafePointer(src) }
    let co = output.channels
    let ci = input.channels
    ws.kernel.resize(kv * co)
    let dst = ws.kernel.pointer
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
  static func chunkRows(kv: Int, limit: Int) -> Int {
    max(1, min(limit, max(64, Workspace.chunkFloats / kv)))
  }

  /// y = conv(x) + bias. x (N, D, H, W, Ci), y (N, Do, Ho, Wo, Co).
  /// With `accumulate`, y += conv(x) + bias (the residual add of a shortcut).
  /// `weights` replaces the stored kernel and bias (same layouts); `epilogue` is what the output
  /// pass does besides (both for the inference network, see Inference.swift).
  /// `prepared`: the kernel already in the layout the GEMMs read (`gemmKernel`), which the
  /// inference network keeps per fold rather than rewriting it every batch.
  func forward(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, batch: Int, ws: Workspace, workers: Workers,
    accumulate: Bool = false, weights: ConvWeights? = nil, epilogue: ConvEpilogue = .none,
    prepared: UnsafePointer<Float>? = nil
  ) {
    let co = output.channels
    let biasPointer = weights?.bias ?? UnsafePointer(bias.value.pointer)
    let b = SharedPointer(biasPointer)
    let py = SharedPointer(y)
    if let classes {
      // With prepared class kernels, the lowered kernel is not needed.
      var full: UnsafeMutablePointer<Float>? = nil
      if prepared == nil { full = UnsafeMutablePointer(mutating: loweredKernel(ws, stored: weights?.kernel)) }
      multiplyByClass(
        lowering, classes, kernel: full, co: co, source: x, dest: y,
        bias: biasPointer, accumulate: accumulate, batch: batch, ws: ws, workers: workers, epilogue: epilogue,
        classKernels: prepared)
      return
    }
    let w = SharedPointer(prepared ?? loweredKernel(ws, stored: weights?.kernel))
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
      Gemm.multiply(
        m: rows.count, n: co, k: kv, a, lda: kv, w.base, ldb: co, accumulate: true, into: out, ldc: co)
      if epilogue.isActive {
        for r in rows { epilogue.finish(py.base + r * co, offset: r * co, channels: 0..<co) }
      }
    }
  }

  /// The kernel in the layout `forward`'s GEMMs read, made from `stored` (the stored layout; the
  /// parameter when nil): the class kernels one after the other when the convolution multiplies
  /// by tap class, else the lowered (Kv, Co) kernel. Nil when that is the stored kernel itself.
  func gemmKernel(stored: UnsafePointer<Float>?, ws: Workspace) -> FloatBuffer? {
    guard classes != nil || lowered else { return nil }
    let co = output.channels
    let kernel = loweredKernel(ws, stored: stored)
    guard let classes else {
      let copy = FloatBuffer(count: kv * co)
      copy.pointer.update(from: kernel, count: kv * co)
      return copy
    }
    let offsets = Self.classKernelOffsets(classes, co: co)
    let buffer = FloatBuffer(count: offsets.total)
    Self.writeClassKernels(
      lowering, classes, kernel: kernel, co: co, offsets: offsets.starts, to: buffer.pointer)
    return buffer
  }

  /// Floats `gemmKernel` takes (0 when it returns nil).
  var gemmKernelCount: Int {
    if let classes { return Self.classKernelOffsets(classes, co: output.channels).total }
    return lowered ? kv * output.channels : 0
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
  /// Without `parameterGradients` only dx is computed (saliency maps need nothing else).
  func backward(
    _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>?,
    batch: Int, ws: Workspace, workers: Workers, parameterGradients: Bool = true
  ) {
    guard parameterGradients else {
      if let dx { backwardDataOnly(dy, dx, batch: batch, ws: ws, workers: workers) }
      return
    }
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
          Gemm.multiplyTransposed(
            m: kv, n: co, k: rows.count, a, lda: kv, g, ldb: co, accumulate: true,
            into: dwParts.base + index * kv * co, ldc: co)
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

  /// dx += dL/dx alone: the backward-data convolution for stride 1, else dy x W^T (pointwise) or
  /// dcol = dy x Wv^T scattered back (strided), each worker owning whole samples of dx.
  private func backwardDataOnly(
    _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, batch: Int, ws: Workspace, workers: Workers
  ) {
    if let t = transposed {
      backwardData(t, dy, dx, batch: batch, ws: ws, workers: workers)
      return
    }
    let (co, ci, kv, lowering, pointwise) = (
      output.channels, input.channels, self.kv, self.lowering, self.pointwise
    )
    let positions = output.positions
    let w = SharedPointer(loweredKernel(ws))
    let (pdy, pdx) = (SharedPointer(dy), SharedPointer(dx))
    let chunk = Self.chunkRows(kv: kv, limit: batch * positions)
    if !pointwise { ws.dcol.resize(workers.count * chunk * kv) }
    let dcolBase = SharedPointer(ws.dcol.pointer)
    workers.splitIndexed(batch) { index, samples in
      var first = samples.lowerBound * positions
      let end = samples.upperBound * positions
      while first < end {
        let rows = first..<min(end, first + chunk)
        let g = pdy.base + rows.lowerBound * co
        if pointwise {
          cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows.count), Int32(ci), Int32(co), 1,
            g, Int32(co), w.base, Int32(co), 1, pdx.base + rows.lowerBound * ci, Int32(ci))
        } else {
          let dcol = dcolBase + index * chunk * kv
          cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows.count), Int32(kv), Int32(co), 1,
            g, Int32(co), w.base, Int32(co), 0, dcol.base, Int32(kv))
          lowering.col2vol(dcol, rows: rows, first: rows.lowerBound, channels: 0..<ci, dx: pdx)
        }
        first = rows.upperBound
      }
    }
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
      Gemm.multiply(
        m: rows.count, n: ci, k: kvt, a, lda: kvt, wt.base, ldb: ci, accumulate: true,
        into: pdx.base + rows.lowerBound * ci, ldc: ci)
    }
  }
}
