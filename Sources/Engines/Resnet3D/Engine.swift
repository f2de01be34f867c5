// The numeric core of the ResNet3D engine: owned float buffers and the worker pool (the GEMMs are in
// Gemm.swift).
//
// Dimension legend (used in every file of this target):
//   N   batch size (clips)                 C   channels (channels-last: the fastest axis)
//   D, H, W    input frames, height, width of a layer
//   Do, Ho, Wo output frames, height, width of a layer
//   P   positions per sample (D*H*W or Do*Ho*Wo)   M   rows of a lowered convolution = N*Do*Ho*Wo
//   K   kernel taps per axis (kd, kh, kw)  Kv  rows of the lowered kernel = valid taps * Ci
//   Ci, Co     input and output channels of a convolution
// Every tensor is float32, laid out (N, D, H, W, C) with C contiguous.

import COpenBLAS
import Dispatch
import Primitives

/// The 3D ResNet engine (keras-resnet3d topology) on OpenBLAS. See docs/ARCHITECTURE.md, "The engine".
public enum Resnet3DEngine {
  /// Number of threads OpenBLAS uses for one GEMM call. The engine sets it to 1 and runs its own
  /// workers, so that lowering, GEMM and elementwise work share one pool without spinning threads.
  public static var blasThreads: Int { Int(openblas_get_num_threads()) }
}

// MARK: - Buffers

/// A float32 buffer allocated once and reused across steps; `count` may shrink and grow
/// within the capacity without reallocating.
final class FloatBuffer: @unchecked Sendable {
  private(set) var pointer: UnsafeMutablePointer<Float>
  private(set) var capacity: Int
  private(set) var count: Int

  init(count: Int) {
    capacity = max(count, 1)
    self.count = count
    pointer = .allocate(capacity: capacity + Self.slack)
    pointer.initialize(repeating: 0, count: capacity + Self.slack)
  }

  /// Floats allocated past the end, so that 16-lane copies of short runs may overshoot.
  static let slack = 16

  deinit { pointer.deallocate() }

  /// Makes room for `count` floats; contents are undefined (zero when newly allocated).
  func resize(_ newCount: Int) {
    if newCount > capacity {
      pointer.deallocate()
      capacity = newCount
      pointer = .allocate(capacity: capacity + Self.slack)
      pointer.initialize(repeating: 0, count: capacity + Self.slack)
    }
    count = newCount
  }

  func zero() { pointer.update(repeating: 0, count: count) }

  /// Zeroes in parallel (large activation gradients at 90x90 are gigabytes).
  func zero(_ workers: Workers) {
    let p = SharedPointer(pointer)
    workers.split(count, grain: 1 << 16) { range in
      (p + range.lowerBound).base.update(repeating: 0, count: range.count)
    }
  }

  var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

  func copy(from values: [Float]) {
    precondition(values.count == count, "buffer holds \(count) floats, got \(values.count)")
    values.withUnsafeBufferPointer { pointer.update(from: $0.address, count: count) }
  }
}

/// A pointer that may cross into worker closures. The engine guarantees that workers write
/// disjoint ranges, which is what makes this sound.
struct SharedPointer<T>: @unchecked Sendable {
  let base: UnsafeMutablePointer<T>
  init(_ base: UnsafeMutablePointer<T>) { self.base = base }
  init(_ base: UnsafePointer<T>) { self.base = UnsafeMutablePointer(mutating: base) }
  @inline(__always) subscript(i: Int) -> T {
    get { base[i] }
    nonmutating set { base[i] = newValue }
  }
  @inline(__always) static func + (p: SharedPointer, offset: Int) -> SharedPointer {
    SharedPointer(p.base + offset)
  }
}

// MARK: - Workers

/// A fixed number of workers. Work is always split into the same contiguous pieces for the same
/// worker count, and reductions combine per-worker partials in worker order, so results are
/// bit-identical from run to run for a fixed count.
struct Workers: Sendable {
  let count: Int

  init(count: Int) {
    precondition(count >= 1, "worker count must be at least 1, got \(count)")
    self.count = count
    openblas_set_num_threads(1)
  }

  /// The `index`-th of `count` contiguous pieces of `0..<total`.
  static func piece(_ index: Int, of pieces: Int, total: Int) -> Range<Int> {
    let base = total / pieces
    let extra = total % pieces
    let start = index * base + min(index, extra)
    return start..<(start + base + (index < extra ? 1 : 0))
  }

  /// Runs `body` on up to `count` contiguous pieces of `0..<total`, in parallel. Pieces smaller
  /// than `grain` are merged so tiny loops stay on one thread.
  func split(_ total: Int, grain: Int = 1, _ body: (Range<Int>) -> Void) {
    splitIndexed(total, grain: grain) { _, range in body(range) }
  }

  /// Like `split`, also passing the piece index (`0..<count`) for per-worker partial results.
  func splitIndexed(_ total: Int, grain: Int = 1, _ body: (Int, Range<Int>) -> Void) {
    guard total > 0 else { return }
    let pieces = max(1, min(count, total / max(grain, 1)))
    if pieces == 1 {
      body(0, 0..<total)
      return
    }
    // The closure runs only during this call and the pieces are disjoint; Dispatch's @Sendable
    // requirement is met by vouching for it.
    withoutActuallyEscaping(body) { body in
      let task = UncheckedSendable(body)
      DispatchQueue.concurrentPerform(iterations: pieces) { index in
        task.value(index, Workers.piece(index, of: pieces, total: total))
      }
    }
  }
}

/// Carries a value the engine knows to be used safely across its workers.
struct UncheckedSendable<T>: @unchecked Sendable {
  let value: T
  init(_ value: T) { self.value = value }
}
