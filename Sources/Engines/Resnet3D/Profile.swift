// Wall-clock time per phase, for speed work: set PLEURA_RESNET3D_PROFILE=1 and the benchmark
// prints where a step's time goes. Off by default (one branch per phase).

import Foundation

final class Profile: @unchecked Sendable {
  static let shared = Profile()
  let enabled = ProcessInfo.processInfo.environment["PLEURA_RESNET3D_PROFILE"] != nil
  private var seconds: [String: Double] = [:]
  private let lock = NSLock()

  @inline(__always)
  func measure<R>(_ key: @autoclosure () -> String, _ body: () throws -> R) rethrows -> R {
    guard enabled else { return try body() }
    let start = DispatchTime.now().uptimeNanoseconds
    let result = try body()
    let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    lock.lock()
    seconds[key(), default: 0] += elapsed
    lock.unlock()
    return result
  }

  func reset() {
    lock.lock()
    seconds = [:]
    lock.unlock()
  }

  /// Phases sorted by time, with their share.
  func report() -> String {
    lock.lock()
    defer { lock.unlock() }
    let total = seconds.values.reduce(0, +)
    return seconds.sorted { $0.value > $1.value }.map {
      String(
        format: "%-28@ %8.3f s %5.1f%%", $0.key as NSString, $0.value, 100 * $0.value / max(total, 1e-12))
    }.joined(separator: "\n")
  }
}
