// The vol2col side of a convolution (see Conv3D.swift for the whole scheme): which input vector
// lands in which column, the taps that ever land inside the input, and the tap classes that let
// border positions skip the padding's zeros.

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
    for set in d.sets + h.sets + w.sets {
      guard let first = set.first, let last = set.last, last - first + 1 == set.count else { return nil }
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
                // A class's taps are valid taps by construction; were one not, the plain
                // lowering (no classes) computes the same result.
                guard let a = axes.d.validTaps.firstIndex(of: jd),
                  let b = axes.h.validTaps.firstIndex(of: jh),
                  let c = axes.w.validTaps.firstIndex(of: jw)
                else { return nil }
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
