import Dispatch
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Passes SIGINT (Ctrl-C), SIGTERM and SIGHUP on to the external plugins this process is running:
/// a plugin runs in a process group of its own (so that a timeout can stop its children too),
/// which the terminal's Ctrl-C does not reach. The plugin's group is stopped; its run then fails
/// ("killed by signal 15") with no entity, and the command ends with that error.
enum SignalForwarding {
  private static let lock = NSLock()
  nonisolated(unsafe) private static var users = 0
  nonisolated(unsafe) private static var groups: Set<pid_t> = []
  nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []
  nonisolated(unsafe) private static var forwarded: [Int32] = []
  /// Set once a signal came: a plugin started after it is stopped at once.
  nonisolated(unsafe) private static var signalled = false
  static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

  /// Takes the signals over; called just before a plugin's process is started, so that no signal
  /// between its start and ``add(_:)`` goes unforwarded. Each call is paired with ``stop(_:)``.
  static func install() {
    lock.withLock {
      users += 1
      guard users == 1 else { return }
      // A launcher may start Pleura with these signals blocked (the mask is inherited): this
      // thread takes them, or they would wait unseen while the plugin runs.
      var unblocked = sigset_t()
      sigemptyset(&unblocked)
      for number in signals { sigaddset(&unblocked, number) }
      pthread_sigmask(SIG_UNBLOCK, &unblocked, nil)
      for number in signals {
        // A signal this process was started ignoring (a background job's Ctrl-C) stays ignored.
        let previous = signal(number, SIG_IGN)
        if let previous, unsafeBitCast(previous, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self) {
          continue
        }
        forwarded.append(number)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler { forward(number) }
        source.resume()
        sources.append(source)
      }
    }
  }

  /// Forwards the signals to the process group `group` from now on.
  static func add(_ group: pid_t) {
    let stopNow = lock.withLock {
      groups.insert(group)
      return signalled
    }
    if stopNow { kill(-group, SIGTERM) }
  }

  /// Stops forwarding to `group` (0: a process that did not start); the last one gives the
  /// signals back.
  static func stop(_ group: pid_t) {
    lock.withLock {
      groups.remove(group)
      users -= 1
      guard users == 0 else { return }
      for source in sources { source.cancel() }
      sources.removeAll()
      for number in forwarded { signal(number, SIG_DFL) }
      forwarded.removeAll()
      signalled = false
    }
  }

  /// Stops every plugin's group (SIGTERM; the runner's own grace then SIGKILL do not apply here:
  /// a plugin that ignores SIGTERM is killed by its time limit).
  private static func forward(_ number: Int32) {
    let targets = lock.withLock {
      signalled = true
      return groups
    }
    for group in targets { kill(-group, SIGTERM) }
  }
}
