import Foundation
import Testing

/// Errors that guide: each names what was given and what to do instead, with the right exit
/// code, and leaves the catalog as it was.
@Suite struct GuidingErrorsCLITests {
  /// A catalog with three short synthetic videos (and their ROIs).
  static func catalogWithVideos() throws -> (PleuraCLI, [String]) {
    let cli = PleuraCLI()
    try cli.run(["init"])
    let made = try cli.run(["synthesize", "--patients", "3", "--min-seconds", "1", "--max-seconds", "1.2"])
    guard made.status == 0 else { throw FixtureError(message: "synthesize: \(made.stderr)") }
    let videos = try cli.json(["videos"]) as? [[String: Any]] ?? []
    return (cli, videos.compactMap { $0["id"] as? String })
  }

  @Test(arguments: [
    (["transcod", "--all"], "unknown command 'transcod'; did you mean 'transcode'?"),
    (["roi", "sugest", "vid_1234"], "unknown command 'roi sugest'; did you mean 'roi suggest'?"),
    (["datset", "list"], "unknown command 'datset'; did you mean 'dataset'?"),
    (["frobnicate"], "unknown command 'frobnicate'; see `pleura --help` for the commands"),
  ])
  func anUnknownCommandIsNamedWithTheClosestOne(_ arguments: [String], _ message: String) throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    let result = try cli.run(arguments)
    #expect(result.status == 2)
    #expect(result.stderr == "error: \(message)\n")
  }

  @Test func transcodeWithoutVideosSaysWhatIsMissing() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    let result = try cli.run(["transcode"])
    #expect(result.status == 2)
    #expect(result.stderr.hasPrefix("error: no videos named: give source video ids"), "\(result.stderr)")
    #expect(result.stderr.contains("or --all"))
  }

  /// Every floating-point option: its command, the arguments that command needs to get that far,
  /// and the option.
  static let floatingOptions: [(command: [String], needs: [String], option: String)] = [
    (["train"], ["demo@1"], "--width"), (["train"], ["demo@1"], "--lr"),
    (["split", "make"], ["demo@1"], "--test"), (["split", "make"], ["demo@1"], "--validation"),
    (["explain"], ["model_1234", "-o", "out"], "--noise"), (["transcode"], ["--all"], "--crf"),
    (["synthesize"], [], "--absent-fraction"), (["synthesize"], [], "--min-seconds"),
    (["synthesize"], [], "--max-seconds"), (["frame"], ["vid_1234", "-o", "f.png"], "--at"),
    (["roi", "show"], ["vid_1234", "-o", "f.png"], "--at"), (["experiment"], ["paper-grid"], "--width"),
    (["bench", "train"], [], "--width"),
  ]

  @Test(arguments: ["nan", "inf", "-inf", "NaN", "infinity"])
  func nonFiniteNumbersAreUsageErrorsNamingTheOption(_ value: String) throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    for (command, needs, option) in Self.floatingOptions {
      let arguments = command + needs + [option, value]
      let result = try cli.run(arguments)
      let shown = arguments.joined(separator: " ")
      #expect(result.status == 2, "\(shown): \(result.stderr)")
      let shownValue =
        value.lowercased().hasPrefix("-") ? "-inf" : value.lowercased().hasPrefix("i") ? "inf" : "nan"
      #expect(
        result.stderr.hasPrefix("error: \(option) \(shownValue): not a finite number\n"),
        "\(shown): \(result.stderr)")
    }
  }

  /// The table above holds every option whose default is a fraction, as the parser describes them.
  @Test func theFloatingOptionTableCoversEveryFractionalDefault() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    let dump = try cli.run(["--experimental-dump-help"], withCatalog: false)
    let root = try #require(try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])
    var fractional: [String] = []
    func walk(_ node: [String: Any], _ path: [String]) {
      for argument in node["arguments"] as? [[String: Any]] ?? [] {
        guard let value = argument["defaultValue"] as? String, Int(value) == nil, Double(value) != nil,
          let name = (argument["preferredName"] as? [String: Any])?["name"] as? String
        else { continue }
        fractional.append((path + ["--" + name]).joined(separator: " "))
      }
      for child in node["subcommands"] as? [[String: Any]] ?? [] {
        walk(child, path + [child["commandName"] as? String ?? "?"])
      }
    }
    walk(try #require(root["command"] as? [String: Any]), [])
    let covered = Set(Self.floatingOptions.map { ($0.command + [$0.option]).joined(separator: " ") })
    #expect(fractional.count >= 10)
    for option in fractional { #expect(covered.contains(option), "\(option) is not in floatingOptions") }
  }

  @Test func aNonFiniteRunParameterIsAUsageError() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    let before = try CatalogSnapshot.take(cli.catalog)
    let result = try cli.run(["run", "synthesize", "--param", "absentFraction=nan"])
    #expect(result.status == 2)
    #expect(result.stderr == "error: parameter absentFraction: 'nan' is not a finite number\n")
    #expect(try CatalogSnapshot.take(cli.catalog) == before)
  }

  @Test func negativeNumbersAreValuesRefusedWithTheReason() throws {
    let (cli, videos) = try Self.catalogWithVideos()
    defer { cli.cleanUp() }
    let video = try #require(videos.first)
    let before = try CatalogSnapshot.take(cli.catalog)
    let frame = try cli.run(["frame", video, "--at", "-1", "-o", "f.png"])
    #expect(frame.status == 2)
    #expect(frame.stderr.hasPrefix("error: --at -1: before the start of the video\n"), "\(frame.stderr)")
    let overlay = try cli.run(["roi", "show", video, "--at", "-0.5", "-o", "f.png"])
    #expect(
      overlay.stderr.hasPrefix("error: --at -0.5: before the start of the video\n"), "\(overlay.stderr)")
    let rect = try cli.run(["roi", "set", video, "--rect", "-5,0,100,100"])
    #expect(rect.status == 2)
    #expect(rect.stderr.hasPrefix("error: ROI -5,0,100,100 does not fit the source frame"), "\(rect.stderr)")
    let frames = try cli.run(["roi", "set", video, "--rect", "5,5,100,100", "--frames", "-3-5"])
    #expect(frames.status == 2)
    #expect(frames.stderr.hasPrefix("error: --frames '-3-5' is not A-B"), "\(frames.stderr)")
    for result in [frame, overlay, rect, frames] { #expect(!result.stderr.contains("Missing value")) }
    #expect(try CatalogSnapshot.take(cli.catalog) == before)
  }

  @Test func aShortOrAmbiguousPrefixListsTheCandidates() throws {
    let (cli, videos) = try Self.catalogWithVideos()
    defer { cli.cleanUp() }
    let all = try cli.run(["show", "vid_"])
    #expect(all.status == 2)
    #expect(all.stderr.hasPrefix("error: id vid_ is ambiguous: it matches "), "\(all.stderr)")
    for video in videos { #expect(all.stderr.contains(video)) }
    let short = try cli.run(["show", String(videos[0].prefix(5))])
    #expect(short.status == 2)
    #expect(short.stderr.contains(videos[0]), "\(short.stderr)")
    #expect(try cli.run(["show", String(videos[0].prefix(8))]).status == 0)
  }

  @Test func anIdOfTheWrongKindNamesBothKinds() throws {
    let (cli, videos) = try Self.catalogWithVideos()
    defer { cli.cleanUp() }
    let video = videos[0]
    let patient = try #require((try cli.json(["patients"]) as? [[String: Any]])?.first?["id"] as? String)
    let cases: [([String], String)] = [
      (["evaluate", video], "\(video) is a source video, not a model"),
      (["explain", video, "-o", "out"], "\(video) is a source video, not a model"),
      (["split", "show", video], "\(video) is a source video, not a split"),
      (["rerun", video], "\(video) is a source video, not a run"),
      (["dataset", "show", video], "\(video) is a source video, not a dataset"),
      (["frame", patient, "-o", "f.png"], "\(patient) is a patient, not a source video or a conversion"),
      (["transcode", patient], "\(patient) is a patient, not a source video"),
    ]
    for (arguments, message) in cases {
      let result = try cli.run(arguments)
      #expect(result.status == 2, "\(arguments): \(result.stderr)")
      #expect(result.stderr == "error: \(message)\n", "\(arguments)")
    }
  }

  @Test func anOutputInAMissingFolderIsNamedWithTheReason() throws {
    let (cli, videos) = try Self.catalogWithVideos()
    defer { cli.cleanUp() }
    let result = try cli.run(["frame", videos[0], "-o", "/nonexistent/dir/x.png"])
    #expect(result.status == 1)
    #expect(result.stderr == "error: -o /nonexistent/dir/x.png: the folder /nonexistent/dir does not exist\n")
    let folder = cli.folder.appendingPathComponent("a-folder")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let sheet = try cli.run(["sheet", videos[0], "-o", folder.path])
    #expect(sheet.status == 1 && sheet.stderr.contains("\(folder.path): is a folder"), "\(sheet.stderr)")
    let file = cli.folder.appendingPathComponent("a-file")
    try Data().write(to: file)
    let explain = try cli.run(["explain", "model_1234", "-o", file.appendingPathComponent("out").path])
    #expect(explain.status == 1 && explain.stderr.contains("\(file.path) is a file, not a folder"))
  }

  @Test(.enabled(if: Fixtures.ffmpegAvailable, "the ffmpeg CLI is needed to make a test video"))
  func roiShowOnAVideoWithoutAnRoiSaysHowToSetOne() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    let file = try Fixtures.video(in: cli.folder, name: "scan.mp4", encoder: ["-c:v", "libx264"])
    #expect(try cli.run(["ingest", file.path, "--patient", "P1", "--label", "present"]).status == 0)
    let video = try #require((try cli.json(["videos"]) as? [[String: Any]])?.first?["id"] as? String)
    let result = try cli.run(["roi", "show", video, "-o", "roi.png"])
    #expect(result.status == 1)
    #expect(
      result.stderr
        == "error: video \(video) (scan.mp4) has no ROI yet: set one with `pleura roi set \(video) --rect X,Y,W,H` "
        + "or `pleura roi suggest \(video) --apply`\n")
  }

  @Test(arguments: [
    ("/dev/urandom", "/dev/urandom: is a character device, not a video file"),
    ("/tmp", "/tmp: is a folder, not a video file (give the files in it, or a --manifest)"),
  ])
  func ingestSaysWhatAPathIsWhenItIsNotAFile(_ path: String, _ message: String) throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    let before = try CatalogSnapshot.take(cli.catalog)
    let result = try cli.run(["ingest", path, "--patient", "P1", "--label", "present"])
    #expect(result.status == 1)
    #expect(result.stderr.contains(message), "\(result.stderr)")
    #expect(!result.stderr.contains("empty") && !result.stderr.contains("no such file"))
    #expect(try CatalogSnapshot.take(cli.catalog) == before)
  }
}
