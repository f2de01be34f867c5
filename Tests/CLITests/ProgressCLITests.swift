import Foundation
import Testing

/// Progress on a stderr that is not a terminal (a pipe, a log file, a scheduler): a line per
/// finished item as it happens, with done/total, rate and time left; `--quiet` silences it;
/// results stay on stdout.
@Suite(.enabled(if: Fixtures.ffmpegAvailable, "the ffmpeg CLI is needed to make test videos"))
struct ProgressCLITests {
  /// `pleura ARGS` with stderr to a pipe that a background thread drains into `stderr`.
  final class PipedRun: @unchecked Sendable {
    let process = Process()
    private let lock = NSLock()
    private var errorBytes = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ cli: PleuraCLI, _ arguments: [String], environment: [String: String] = [:]) throws {
      process.executableURL = PleuraCLI.binary
      process.arguments = arguments + ["--catalog", cli.catalog.path]
      var env = ProcessInfo.processInfo.environment
      env.removeValue(forKey: "PLEURA_CATALOG")
      for (key, value) in environment { env[key] = value }
      process.environment = env
      process.standardOutput = FileHandle.nullDevice
      let pipe = Pipe()
      process.standardError = pipe
      try process.run()
      let reader = pipe.fileHandleForReading
      Thread.detachNewThread { [self] in
        while case let chunk = reader.availableData, !chunk.isEmpty {
          lock.withLock { errorBytes.append(chunk) }
        }
        done.signal()
      }
    }

    var stderr: String { lock.withLock { String(decoding: errorBytes, as: UTF8.self) } }

    /// Waits until stderr holds a line that satisfies `test`, or the process has ended and its
    /// stderr is drained; returns that line.
    func waitForLine(_ test: (Substring) -> Bool) -> Substring? {
      while true {
        let ended = !process.isRunning
        if let line = stderr.split(separator: "\n").first(where: test) { return line }
        if ended {
          done.wait()
          done.signal()
          return stderr.split(separator: "\n").first(where: test)
        }
        Thread.sleep(forTimeInterval: 0.05)
      }
    }
  }

  /// "LABEL: N/N UNIT in ...": an item that finished.
  static func finished(_ line: Substring, _ label: String, _ unit: String) -> Bool {
    guard line.hasPrefix(label + ": ") else { return false }
    let counts = line.dropFirst(label.count + 2)
    guard let slash = counts.firstIndex(of: "/"), let done = Int(counts[..<slash]) else { return false }
    return counts[counts.index(after: slash)...].hasPrefix("\(done) \(unit) in ")
  }

  func ingestTwoClips(_ cli: PleuraCLI) throws {
    try cli.run(["init"])
    let a = try Fixtures.video(in: cli.folder, name: "a.mp4", encoder: ["-c:v", "libx264"])
    let b = try Fixtures.video(in: cli.folder, name: "b.mp4", rate: "24", encoder: ["-c:v", "libx264"])
    #expect(try cli.run(["ingest", a.path, b.path, "--patient", "P1", "--label", "present"]).status == 0)
  }

  @Test func aFinishedVideoIsReportedOnAPipeWhileTheCommandStillRuns() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try ingestTwoClips(cli)
    // Each run pauses after its work, before its commit: the first video's line must be in the
    // pipe while the process still waits there.
    let run = try PipedRun(
      cli, ["transcode", "--all", "--preset", "ultrafast"],
      environment: ["PLEURA_DEBUG_PAUSE_BEFORE_COMMIT": "20"])
    defer { if run.process.isRunning { run.process.terminate() } }
    let line = run.waitForLine { Self.finished($0, "transcode a.mp4", "frames") }
    #expect(line != nil, "no finished-video line; stderr: \(run.stderr)")
    #expect(run.process.isRunning, "the line came only when the command had ended")
  }

  @Test func linesSayDoneTotalRateAndTimeLeftResultsStayOnStdout() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try ingestTwoClips(cli)
    let result = try cli.run(["transcode", "--all", "--preset", "ultrafast"])
    #expect(result.status == 0)
    let lines = result.stderr.split(separator: "\n")
    #expect(lines.contains { Self.finished($0, "transcode a.mp4", "frames") && $0.contains("frames/s") })
    #expect(lines.contains { $0.hasPrefix("transcode: 1/2 videos") && $0.contains("left") }, "\(lines)")
    #expect(lines.contains { Self.finished($0, "transcode", "videos") }, "\(lines)")
    #expect(!result.stdout.contains("frames/s") && result.stdout.contains("converted to"))

    let again = try cli.run(["transcode", "--all", "--force", "--preset", "ultrafast", "--quiet"])
    #expect(again.status == 0 && again.stderr.isEmpty, "--quiet printed: \(again.stderr)")
  }

  @Test func ingestOfManyFilesCountsThem() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    let files = try (1...3).map {
      try Fixtures.video(
        in: cli.folder, name: "c\($0).mp4", rate: "\(20 + $0)", encoder: ["-c:v", "libx264"])
    }
    let result = try cli.run(["ingest"] + files.map(\.path) + ["--patient", "P1", "--label", "absent"])
    #expect(result.status == 0)
    let lines = result.stderr.split(separator: "\n")
    for done in 1...3 {
      #expect(lines.contains { $0.hasPrefix("ingest: \(done)/3 files") }, "\(lines)")
    }
    #expect(lines.contains { Self.finished($0, "ingest", "files") }, "\(lines)")
    for done in 1...2 {
      #expect(lines.contains { $0.hasPrefix("ingest: \(done)/3 files") && $0.contains("left") }, "\(lines)")
    }
  }

  @Test func exportAndImportCountWhatTheyMove() throws {
    let a = PleuraCLI()
    defer { a.cleanUp() }
    try a.run(["init"])
    try a.run([
      "synthesize", "--patients", "2", "--min-seconds", "2.1", "--max-seconds", "2.2", "--seed", "3",
    ])
    #expect(try a.run(["transcode", "--all", "--preset", "ultrafast"]).status == 0)
    #expect(try a.run(["dataset", "build", "demo"]).status == 0)
    let bundle = a.folder.appendingPathComponent("demo.tar.zst").path
    let export = try a.run(["export", "demo@1", "-o", bundle])
    #expect(export.status == 0)
    #expect(
      export.stderr.split(separator: "\n").contains { Self.finished($0, "export", "blobs") },
      "\(export.stderr)")
    let b = PleuraCLI()
    defer { b.cleanUp() }
    try b.run(["init"])
    let imported = try b.run(["import", bundle])
    #expect(imported.status == 0)
    #expect(
      imported.stderr.split(separator: "\n").contains { Self.finished($0, "import", "files") },
      "\(imported.stderr)")
    #expect(!imported.stdout.contains("files in"), "progress stays off stdout")
  }
}
