// Conv3D's class-by-class GEMMs: each tap class is lowered with only its own valid taps and
// multiplied by its own rows of the kernel (see Lowering.tapClasses()).

import COpenBLAS

extension Conv3D {
  /// dest (=|+=) bias + conv(source) computed class by class: each class's columns hold only its
  /// valid taps and multiply its own (Kc, Co) kernel rows; results go to temp rows, then to
  /// their positions. `kernel` is the lowered (Kv, Co) kernel of `l`.
  /// `classKernels`: the class kernels already written (writeClassKernels), as the inference
  /// network keeps them; else they are written to `ws.kernelClasses` from `kernel`.
  func multiplyByClass(
    _ l: Lowering, _ classes: [TapClass], kernel: UnsafeMutablePointer<Float>?, co: Int,
    source: UnsafePointer<Float>, dest: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?,
    accumulate: Bool, batch: Int, ws: Workspace, workers: Workers, epilogue: ConvEpilogue = .none,
    classKernels: UnsafePointer<Float>? = nil
  ) {
    let layout = Self.classKernelOffsets(classes, co: co)
    let offsets = layout.starts
    let kc: UnsafeMutablePointer<Float>
    if let classKernels {
      kc = UnsafeMutablePointer(mutating: classKernels)
    } else {
      guard let kernel else {
        preconditionFailure("\(name): neither class kernels nor a kernel to make them")
      }
      ws.kernelClasses.resize(layout.total)
      kc = ws.kernelClasses.pointer
      Self.writeClassKernels(l, classes, kernel: kernel, co: co, offsets: offsets, to: kc)
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
          Gemm.multiply(
            m: rows.count, n: cols.count, k: c.kc, mine.base, lda: c.kc,
            kernels.base + start + cols.lowerBound,
            ldb: co, accumulate: false, into: tmp.base + cols.lowerBound, ldc: co)
          let (c0, c1) = (cols.lowerBound, cols.upperBound)
          for f in rows {
            let n = samples.lowerBound + f / count
            let offset = (n * positions + Int(c.positions[f % count])) * co
            let y = out.base + offset
            let t = tmp.base + (f - rows.lowerBound) * co
            Self.land(
              t, into: y, bias: b.map { UnsafePointer($0.base) }, accumulate: accumulate, channels: c0..<c1)
            if epilogue.isActive { epilogue.finish(y, offset: offset, channels: c0..<c1) }
          }
          first = rows.upperBound
        }
      }
    }
  }

  /// Where each class's (Kc, Co) kernel starts when they are stored one after the other, and
  /// the floats they take in all.
  static func classKernelOffsets(_ classes: [TapClass], co: Int) -> (starts: [Int], total: Int) {
    var starts: [Int] = []
    var total = 0
    for c in classes {
      starts.append(total)
      total += c.kc * co
    }
    return (starts, total)
  }

  /// Writes each class's rows of the lowered (Kv, Co) `kernel` of `l`, one class after the other.
  static func writeClassKernels(
    _ l: Lowering, _ classes: [TapClass], kernel: UnsafePointer<Float>, co: Int, offsets: [Int],
    to kc: UnsafeMutablePointer<Float>
  ) {
    let ci = l.input.channels
    for (c, start) in zip(classes, offsets) {
      var dst = kc + start
      for row in c.kernelRows {
        dst.update(from: kernel + row * co, count: ci * co)
        dst += ci * co
      }
    }
  }

  /// Kernel gradient class by class: for each class, dWc (Kc, Co) = col_c^T x dy_c over the
  /// worker's rows, then added to the rows of its taps in the worker's partial (Kv, Co).
  func kernelGradientByClass(
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
        var accumulate = false
        while first < all {
          let rows = first..<min(all, first + chunk)
          l.gather(src, tapClass: c, firstSample: samples.lowerBound, rows: rows, col: mine, end: srcEnd)
          for f in rows {
            let n = samples.lowerBound + f / count
            (g + (f - rows.lowerBound) * co).base.update(
              from: pdy.base + (n * positions + Int(c.positions[f % count])) * co, count: co)
          }
          Gemm.multiplyTransposed(
            m: c.kc, n: co, k: rows.count, mine.base, lda: c.kc, g.base, ldb: co, accumulate: accumulate,
            into: acc.base, ldc: co)
          accumulate = true
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
