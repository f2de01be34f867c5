// Winograd F(2x2x2, 3x3x3) for the inference network's stride-1, 3x3x3, "same" convolutions.
//
// Each 2x2x2 block of outputs (a tile) depends on a 4x4x4 patch of the input. With the 1D
// transforms B^T (4x4), G (4x3) and A^T (2x4) of F(2, 3), applied along each axis,
//   y_tile = A^T [ sum over Ci of (B^T d B)[xi] * (G g G^T)[xi] ] A     for each of 64 points xi,
// so per tile and channel pair the 8 outputs cost 64 products instead of 8 x 27 = 216. Per
// point xi the sum over input channels is a GEMM (tiles x Ci) x (Ci x Co): 64 GEMMs per chunk of
// tiles. Zeros outside the input stand for the padding; outputs past an odd edge are computed
// and dropped. Only the inference network uses this (training, backward and the layer-by-layer
// forward keep the direct lowering); results differ from the direct sum by float rounding.

extension Conv3D {
  /// Whether `forwardWinograd` computes this convolution: 3x3x3 kernel, stride 1, one pixel of
  /// padding before on each axis (TF "same"), no folded input channels.
  var winogradEligible: Bool {
    let a = lowering.axes
    return fold == 1
      && [a.d, a.h, a.w].allSatisfy { $0.kernel == 3 && $0.stride == 1 && $0.padBefore == 1 }
  }

  /// Floats of the transformed kernel: 64 matrices (Ci, Co).
  var winogradKernelCount: Int { 64 * input.channels * output.channels }

  /// U[xi] = G g G^T per point xi (64 (Ci, Co) matrices, xi = (i * 4 + j) * 4 + k), from a kernel
  /// in the stored layout (kd, kh, kw, Ci, Co); the parameter's when `stored` is nil.
  func winogradKernel(stored: UnsafePointer<Float>?) -> FloatBuffer {
    precondition(winogradEligible, "\(name) is not a stride-1 3x3x3 same convolution")
    let g: [[Float]] = [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]]
    let block = input.channels * output.channels
    let src = stored ?? UnsafePointer(kernel.value.pointer)
    let u = FloatBuffer(count: 64 * block)
    u.zero()
    for i in 0..<4 {
      for j in 0..<4 {
        for k in 0..<4 {
          let out = u.pointer + ((i * 4 + j) * 4 + k) * block
          for a in 0..<3 {
            for b in 0..<3 {
              for c in 0..<3 {
                let w = g[i][a] * g[j][b] * g[k][c]
                guard w != 0 else { continue }
                let tap = src + ((a * 3 + b) * 3 + c) * block
                for e in 0..<block { out[e] += w * tap[e] }
              }
            }
          }
        }
      }
    }
    return u
  }

  /// Tiles per chunk: the chunk's 64 transformed input and product matrices take about
  /// `Workspace.chunkFloats` (1 MB, about L2) per worker, at least 16 tiles. On R18 at 60x30x30
  /// (32 tiles at stage 1, 16 at stage 2) this measured best of 8, 16, 32, 64 and of 4x and 16x
  /// the floats: larger chunks fall out of cache, smaller ones give GEMMs of too few rows.
  static func winogradChunkTiles(ci: Int, co: Int, limit: Int) -> Int {
    max(1, min(limit, max(16, Workspace.chunkFloats / (64 * (ci + co)))))
  }

  /// y = conv(x) + bias (y += ... with `accumulate`), then `epilogue` on every written position:
  /// the same contract as `forward`, computed with Winograd from `u` (`winogradKernel`).
  func forwardWinograd(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, batch: Int, ws: Workspace, workers: Workers,
    kernel u: UnsafePointer<Float>, bias: UnsafePointer<Float>, accumulate: Bool = false,
    epilogue: ConvEpilogue = .none
  ) {
    precondition(winogradEligible, "\(name) is not a stride-1 3x3x3 same convolution")
    let (ci, co) = (input.channels, output.channels)
    let (d, h, w) = (input.depth, input.height, input.width)
    let (td, th, tw) = ((d + 1) / 2, (h + 1) / 2, (w + 1) / 2)
    let tilesPerSample = td * th * tw
    let chunk = Self.winogradChunkTiles(ci: ci, co: co, limit: batch * tilesPerSample)
    // Per worker: V (64, chunk, Ci), then room for a 4x4x4 patch of Ci or Co; M (64, chunk, Co).
    let vStride = 64 * chunk * ci + 64 * max(ci, co) + FloatBuffer.slack
    let mStride = 64 * chunk * co + FloatBuffer.slack
    ws.col.resize(workers.count * vStride)
    ws.dcol.resize(workers.count * mStride)
    let (vBase, mBase) = (SharedPointer(ws.col.pointer), SharedPointer(ws.dcol.pointer))
    let (src, out, kernels, b) = (SharedPointer(x), SharedPointer(y), SharedPointer(u), SharedPointer(bias))
    let sampleIn = d * h * w * ci
    let sampleOut = d * h * w * co
    // A tile's first output position; its input patch starts one position before (the padding).
    let corner = { (tile: Int) in (2 * (tile / (th * tw)), 2 * (tile / tw % th), 2 * (tile % tw)) }
    workers.splitIndexed(batch) { index, samples in
      let v = vBase + index * vStride
      let patch = v + 64 * chunk * ci
      let m = mBase + index * mStride
      let all = samples.count * tilesPerSample
      var first = 0
      while first < all {
        let rows = first..<min(all, first + chunk)
        let count = rows.count
        // Input transform of each tile's patch, written as row t of the 64 matrices V[xi].
        for f in rows {
          let n = samples.lowerBound + f / tilesPerSample
          let (z0, y0, x0) = corner(f % tilesPerSample)
          Self.gatherPatch(
            src.base + n * sampleIn, size: (d, h, w), ci: ci, corner: (z0 - 1, y0 - 1, x0 - 1), to: patch.base
          )
          Self.transformInput(
            patch.base, ci: ci, to: v.base + (f - rows.lowerBound) * ci, pointStride: chunk * ci)
        }
        for xi in 0..<64 {
          Gemm.multiply(
            m: count, n: co, k: ci, v.base + xi * chunk * ci, lda: ci, kernels.base + xi * ci * co, ldb: co,
            accumulate: false, into: m.base + xi * chunk * co, ldc: co)
        }
        // Output transform, then the output pass on the valid positions of each tile.
        for f in rows {
          let n = samples.lowerBound + f / tilesPerSample
          let (z0, y0, x0) = corner(f % tilesPerSample)
          let t = m.base + (f - rows.lowerBound) * co
          Self.transformOutput(t, co: co, pointStride: chunk * co, to: patch.base)
          for a in 0..<min(2, d - z0) {
            for bb in 0..<min(2, h - y0) {
              for e in 0..<min(2, w - x0) {
                let offset = n * sampleOut + (((z0 + a) * h + y0 + bb) * w + x0 + e) * co
                let r = patch.base + ((a * 2 + bb) * 2 + e) * co
                let yy = out.base + offset
                Self.land(r, into: yy, bias: b.base, accumulate: accumulate, channels: 0..<co)
                if epilogue.isActive { epilogue.finish(yy, offset: offset, channels: 0..<co) }
              }
            }
          }
        }
        first = rows.upperBound
      }
    }
  }

  /// Copies the 4x4x4 patch whose first input position is `corner` (may be -1) of one sample
  /// (d, h, w, Ci) into `to` (4, 4, 4, Ci), zeros outside the input.
  private static func gatherPatch(
    _ sample: UnsafePointer<Float>, size: (d: Int, h: Int, w: Int), ci: Int, corner: (Int, Int, Int),
    to: UnsafeMutablePointer<Float>
  ) {
    let (z0, y0, x0) = corner
    let xFirst = max(x0, 0)
    let xEnd = min(x0 + 4, size.w)
    let before = (xFirst - x0) * ci
    let inside = max(xEnd - xFirst, 0) * ci
    let after = 4 * ci - before - inside
    for a in 0..<4 {
      let z = z0 + a
      for b in 0..<4 {
        let row = to + (a * 4 + b) * 4 * ci
        let yv = y0 + b
        guard z >= 0, z < size.d, yv >= 0, yv < size.h else {
          row.update(repeating: 0, count: 4 * ci)
          continue
        }
        if before > 0 { row.update(repeating: 0, count: before) }
        (row + before).update(from: sample + ((z * size.h + yv) * size.w + xFirst) * ci, count: inside)
        if after > 0 { (row + before + inside).update(repeating: 0, count: after) }
      }
    }
  }

  /// B^T d B along the three axes of the patch (4, 4, 4, Ci), in place along w and h; the last
  /// axis writes point xi's row to `to + xi * pointStride`.
  private static func transformInput(
    _ p: UnsafeMutablePointer<Float>, ci: Int, to: UnsafeMutablePointer<Float>, pointStride: Int
  ) {
    // B^T: [d0 - d2, d1 + d2, d2 - d1, d1 - d3].
    @inline(__always) func bt(
      _ r0: UnsafeMutablePointer<Float>, _ r1: UnsafeMutablePointer<Float>, _ r2: UnsafeMutablePointer<Float>,
      _ r3: UnsafeMutablePointer<Float>, _ o0: UnsafeMutablePointer<Float>, _ o1: UnsafeMutablePointer<Float>,
      _ o2: UnsafeMutablePointer<Float>, _ o3: UnsafeMutablePointer<Float>
    ) {
      for c in 0..<ci {
        let (d0, d1, d2, d3) = (r0[c], r1[c], r2[c], r3[c])
        o0[c] = d0 - d2
        o1[c] = d1 + d2
        o2[c] = d2 - d1
        o3[c] = d1 - d3
      }
    }
    @inline(__always) func at(_ a: Int, _ b: Int, _ e: Int) -> UnsafeMutablePointer<Float> {
      p + ((a * 4 + b) * 4 + e) * ci
    }
    for a in 0..<4 {
      for b in 0..<4 {
        bt(
          at(a, b, 0), at(a, b, 1), at(a, b, 2), at(a, b, 3), at(a, b, 0), at(a, b, 1), at(a, b, 2),
          at(a, b, 3))
      }
    }
    for a in 0..<4 {
      for e in 0..<4 {
        bt(
          at(a, 0, e), at(a, 1, e), at(a, 2, e), at(a, 3, e), at(a, 0, e), at(a, 1, e), at(a, 2, e),
          at(a, 3, e))
      }
    }
    @inline(__always) func point(_ a: Int, _ b: Int, _ e: Int) -> UnsafeMutablePointer<Float> {
      to + ((a * 4 + b) * 4 + e) * pointStride
    }
    for b in 0..<4 {
      for e in 0..<4 {
        bt(
          at(0, b, e), at(1, b, e), at(2, b, e), at(3, b, e), point(0, b, e), point(1, b, e), point(2, b, e),
          point(3, b, e))
      }
    }
  }

  /// A^T m A along the three axes: reads point xi's row at `m + xi * pointStride` (Co floats)
  /// and writes the tile's 2x2x2 outputs to `to` (2, 2, 2, Co); `to` needs 64 * Co floats of room.
  private static func transformOutput(
    _ m: UnsafeMutablePointer<Float>, co: Int, pointStride: Int, to: UnsafeMutablePointer<Float>
  ) {
    // A^T: [m0 + m1 + m2, m1 - m2 - m3].
    @inline(__always) func atr(
      _ r0: UnsafeMutablePointer<Float>, _ r1: UnsafeMutablePointer<Float>, _ r2: UnsafeMutablePointer<Float>,
      _ r3: UnsafeMutablePointer<Float>, _ o0: UnsafeMutablePointer<Float>, _ o1: UnsafeMutablePointer<Float>
    ) {
      for c in 0..<co {
        let (m0, m1, m2, m3) = (r0[c], r1[c], r2[c], r3[c])
        o0[c] = m0 + m1 + m2
        o1[c] = m1 - m2 - m3
      }
    }
    // Along d: 64 points -> (2, 4, 4) in `to`; along h: -> (2, 2, 4) after it; along w: -> (2, 2, 2).
    let s1 = to
    let s2 = to + 32 * co
    @inline(__always) func point(_ a: Int, _ b: Int, _ e: Int) -> UnsafeMutablePointer<Float> {
      m + ((a * 4 + b) * 4 + e) * pointStride
    }
    for b in 0..<4 {
      for e in 0..<4 {
        atr(
          point(0, b, e), point(1, b, e), point(2, b, e), point(3, b, e), s1 + ((0 * 4 + b) * 4 + e) * co,
          s1 + ((1 * 4 + b) * 4 + e) * co)
      }
    }
    for a in 0..<2 {
      for e in 0..<4 {
        let r = { (b: Int) in s1 + ((a * 4 + b) * 4 + e) * co }
        atr(r(0), r(1), r(2), r(3), s2 + ((a * 2 + 0) * 4 + e) * co, s2 + ((a * 2 + 1) * 4 + e) * co)
      }
    }
    for a in 0..<2 {
      for b in 0..<2 {
        let r = { (e: Int) in s2 + ((a * 2 + b) * 4 + e) * co }
        atr(r(0), r(1), r(2), r(3), to + ((a * 2 + b) * 2 + 0) * co, to + ((a * 2 + b) * 2 + 1) * co)
      }
    }
  }
}
