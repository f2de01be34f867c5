import CArchive
import Crypto
import Dispatch
import Foundation

/// Hashes (SHA-256) and writes the chunks of one extracted file on a worker thread, so that
/// decompressing the next chunk on the caller's thread overlaps with them: `tar -x` gets the same
/// overlap from running `zstd -d` as a separate process.
///
/// The caller alternates two buffers: it submits one, reads the next chunk into the other, then
/// calls `wait()` before submitting again, so a buffer is never written while the worker reads it.
final class ChunkWorker: @unchecked Sendable {
  // State below is touched by the worker between `submit` and `wait`, and by the caller only
  // after `wait`; the queue's serial order makes that hand-over safe.
  private let queue = DispatchQueue(label: "org.pleura.bag.extract")
  private var hasher = SHA256()
  private var descriptor: Int32 = -1
  private var failure: Int32 = 0

  /// Starts a new file written to `descriptor`.
  func start(writingTo descriptor: Int32) {
    wait()
    hasher = SHA256()
    self.descriptor = descriptor
    failure = 0
  }

  /// Hashes and writes `chunk` in the background. `chunk` must stay untouched until `wait()`.
  func submit(_ chunk: UnsafeRawBufferPointer) {
    let job = Chunk(bytes: chunk)
    queue.async { self.process(job.bytes) }
  }

  /// Blocks until submitted chunks are done; returns the errno of a failed write, or 0.
  @discardableResult
  func wait() -> Int32 {
    queue.sync {}
    return failure
  }

  /// Asks the kernel to start writing the file's pages to disk, without waiting: a caller that
  /// keeps the file fsyncs it later, and by then most of it is written.
  func startWriteback() {
    queue.async {
      guard self.failure == 0 else { return }
      pleura_start_writeback(self.descriptor)
    }
  }

  /// The SHA-256 of everything submitted since `start`, after waiting for it.
  func digest() -> String {
    wait()
    return hasher.finalizeHex()
  }

  private func process(_ chunk: UnsafeRawBufferPointer) {
    guard failure == 0, let base = chunk.baseAddress else { return }
    hasher.update(bufferPointer: chunk)
    var offset = 0
    while offset < chunk.count {
      let written = write(descriptor, base + offset, chunk.count - offset)
      if written < 0 && errno == EINTR { continue }
      guard written > 0 else {
        failure = written < 0 ? errno : EIO
        return
      }
      offset += written
    }
  }

  /// A buffer handed to the worker; the alternation protocol above is what makes it safe.
  private struct Chunk: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
  }
}
