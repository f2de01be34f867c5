import Dispatch
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Passes Ctrl-C, SIGTERM and SIGHUP on to the external plugins this process is running, before
/// the process ends as it would have: a plugin runs in a process group of its own (so that a
/// timeout can stop its children too), which the terminal's Ctrl-C does not reach. The run row
/// stays `running` and the next open marks it interrupted (``RunReaper``), as for built-in runs.
enum SignalForwarding {
  private static let lock = NSLock()
  nonisolated(unsafe) private static var groups: Set<pid_t> = []
  nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []
  static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

  /// Forwards the signals to `group` until ``stop(_:)``.
  static func start(_ group: pid_t) {
    lock.withLock {
      groups.insert(group)
      guard sources.isEmpty else { return }
      for number in signals {
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler { forward(number) }
        source.resume()
        sources.append(source)
      }
    }
  }

  static func stop(_ group: pid_t) {
    lock.withLock {
      groups.remove(group)
      guard groups.isEmpty else { return }
      for source in sources { source.cancel() }
      sources.removeAll()
      for number in signals { signal(number, SIG_DFL) }
    }
  }

  /// Stops every plugin's group, then ends this process by the signal's default action.
  private static func forward(_ number: Int32) {
    let targets = lock.withLock { groups }
    for group in targets { kill(-group, SIGTERM) }
    signal(number, SIG_DFL)
    raise(number)
  }
}
