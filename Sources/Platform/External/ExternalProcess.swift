import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Runs an external plugin's program in a process group of its own, with the request on its
/// standard input, reading its standard output line by line and keeping the last lines of its
/// standard error. A timeout or a cancelled task ends the whole group (SIGTERM, then SIGKILL),
/// so that the children a plugin starts do not outlive it.
final class ExternalProcess: @unchecked Sendable {
  struct Ending: Sendable {
    /// The exit status, or nil when a signal ended the process.
    var exitStatus: Int32?
    var signal: Int32?
    var timedOut: Bool
    var cancelled: Bool
    /// The last lines of standard error (at most ``stderrLines``).
    var stderrTail: [String]
  }

  static let stderrLines = 20
  /// A longer standard-output line is a protocol error (a result this size is not metadata).
  static let maxLineBytes = 4 << 20
  static let killGrace: Double = 3

  private let lock = NSLock()
  private var pid: pid_t = 0
  private var ended = false
  private var timedOut = false
  private var cancelled = false

  /// Starts `argv` with `stdinFile` as standard input, calls `onLine` for each standard-output
  /// line (in order, on a reading thread), and returns when the process has ended and both
  /// streams are drained.
  static func run(
    argv: [String], stdinFile: URL, workingDirectory: URL, environment: [String: String], timeoutSeconds: Int,
    onLine: @escaping @Sendable (Data) -> Void
  ) async throws -> Ending {
    let process = ExternalProcess()
    return try await withTaskCancellationHandler {
      try await process.start(
        argv: argv, stdinFile: stdinFile, workingDirectory: workingDirectory, environment: environment,
        timeoutSeconds: timeoutSeconds, onLine: onLine)
    } onCancel: {
      process.stop(cancelled: true)
    }
  }

  private func start(
    argv: [String], stdinFile: URL, workingDirectory: URL, environment: [String: String], timeoutSeconds: Int,
    onLine: @escaping @Sendable (Data) -> Void
  ) async throws -> Ending {
    let input = open(stdinFile.path, O_RDONLY | O_CLOEXEC)
    guard input >= 0 else {
      throw ExternalPluginError.cannotStart(argv[0], reason: String(cString: strerror(errno)))
    }
    defer { close(input) }
    var outPipe: [Int32] = [0, 0]
    var errPipe: [Int32] = [0, 0]
    guard pipe(&outPipe) == 0, pipe(&errPipe) == 0 else {
      throw ExternalPluginError.cannotStart(argv[0], reason: String(cString: strerror(errno)))
    }
    // Close-on-exec, so that no other process Pleura starts inherits the plugin's pipes.
    for descriptor in outPipe + errPipe { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, input, 0)
    posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
    posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
    guard let addChdir = Self.addChdir else {
      throw ExternalPluginError.cannotStart(
        argv[0], reason: "this C library cannot start a program in a folder")
    }
    _ = addChdir(&actions, workingDirectory.path)
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK))
    posix_spawnattr_setpgroup(&attributes, 0)
    var noSignals = sigset_t()
    sigemptyset(&noSignals)
    posix_spawnattr_setsigmask(&attributes, &noSignals)

    let cArgs = argv.map { strdup($0) } + [nil]
    let cEnv = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      cArgs.forEach { free($0) }
      cEnv.forEach { free($0) }
    }
    var child: pid_t = 0
    SignalForwarding.install()
    let status = posix_spawn(&child, argv[0], &actions, &attributes, cArgs, cEnv)
    close(outPipe[1])
    close(errPipe[1])
    guard status == 0 else {
      SignalForwarding.stop(0)
      close(outPipe[0])
      close(errPipe[0])
      throw ExternalPluginError.cannotStart(argv[0], reason: String(cString: strerror(status)))
    }
    lock.withLock { pid = child }
    SignalForwarding.add(child)
    defer { SignalForwarding.stop(child) }

    let timer = DispatchWorkItem { [weak self] in self?.stop(cancelled: false) }
    DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(timeoutSeconds), execute: timer)
    defer { timer.cancel() }

    async let stdoutDone: Void = Self.readLines(outPipe[0], onLine: onLine)
    async let stderrTail: [String] = Self.tail(errPipe[0])
    let waitStatus = await Self.wait(child)
    // Whatever the program left running in its group would hold the pipes open: end it too.
    kill(-child, SIGKILL)
    lock.withLock { ended = true }
    _ = await stdoutDone
    let tail = await stderrTail
    let (timedOut, cancelled) = lock.withLock { (self.timedOut, self.cancelled) }
    let exited = waitStatus & 0x7F == 0
    return Ending(
      exitStatus: exited ? (waitStatus >> 8) & 0xFF : nil, signal: exited ? nil : waitStatus & 0x7F,
      timedOut: timedOut, cancelled: cancelled, stderrTail: tail)
  }

  /// glibc's `posix_spawn_file_actions_addchdir_np` (2.29 and later), which Swift's Glibc module
  /// does not declare: looked up by name.
  private typealias AddChdir =
    @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
  private static let addChdir: AddChdir? = {
    guard let symbol = dlsym(nil, "posix_spawn_file_actions_addchdir_np") else { return nil }
    return unsafeBitCast(symbol, to: AddChdir.self)
  }()

  /// Ends the process group: SIGTERM now, SIGKILL after a grace period if it is still there.
  func stop(cancelled: Bool) {
    let target: pid_t? = lock.withLock {
      guard pid > 0, !ended else {
        if cancelled { self.cancelled = true }
        return nil
      }
      if cancelled { self.cancelled = true } else { timedOut = true }
      return pid
    }
    guard let target else { return }
    kill(-target, SIGTERM)
    DispatchQueue.global().asyncAfter(deadline: .now() + Self.killGrace) { [weak self] in
      guard let self, !self.lock.withLock({ self.ended }) else { return }
      kill(-target, SIGKILL)
    }
  }

  private static func wait(_ child: pid_t) async -> Int32 {
    await withCheckedContinuation { continuation in
      DispatchQueue.global().async {
        var status: Int32 = 0
        while waitpid(child, &status, 0) < 0 && errno == EINTR {}
        continuation.resume(returning: status)
      }
    }
  }

  /// Reads `descriptor` to its end, calling `onLine` for each line; an over-long line is handed
  /// on cut to ``maxLineBytes`` + 1 bytes, so the caller sees it is too long.
  private static func readLines(_ descriptor: Int32, onLine: @escaping @Sendable (Data) -> Void) async {
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
      Thread.detachNewThread {
        defer {
          close(descriptor)
          continuation.resume()
        }
        var line = Data()
        var overlong = false
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
          let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
          if count < 0 && errno == EINTR { continue }
          guard count > 0 else { break }
          for byte in buffer[0..<count] {
            if byte == UInt8(ascii: "\n") {
              onLine(line)
              line.removeAll(keepingCapacity: true)
              overlong = false
            } else if line.count <= maxLineBytes {
              line.append(byte)
            } else if !overlong {
              overlong = true
            }
          }
        }
        if !line.isEmpty { onLine(line) }
      }
    }
  }

  /// The last ``stderrLines`` lines of `descriptor`, each cut to 500 characters.
  private static func tail(_ descriptor: Int32) async -> [String] {
    await withCheckedContinuation { (continuation: CheckedContinuation<[String], Never>) in
      Thread.detachNewThread {
        var lines: [String] = []
        var line = Data()
        var buffer = [UInt8](repeating: 0, count: 16384)
        func push() {
          lines.append(String(decoding: line.prefix(500), as: UTF8.self))
          if lines.count > stderrLines { lines.removeFirst() }
          line.removeAll(keepingCapacity: true)
        }
        while true {
          let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
          if count < 0 && errno == EINTR { continue }
          guard count > 0 else { break }
          for byte in buffer[0..<count] {
            if byte == UInt8(ascii: "\n") { push() } else if line.count < 4096 { line.append(byte) }
          }
        }
        if !line.isEmpty { push() }
        close(descriptor)
        continuation.resume(returning: lines)
      }
    }
  }
}
