import Foundation
import TestSupport
import Testing

/// Errors that guide: each names what was given and what to do instead, with the right exit
/// code, and leaves the catalog as it was.
@Suite struct GuidingErrorsCLITests {
  /// A catalog with three short synthetic videos (and their ROIs).
  static func catalogWithVideos() throws -> (PleuraCLI, [String]) {
    let cli = PleuraCLI()
    try cli.run(["init"])
    let made = try cli.run(["synthesize", "--patients", "3", "--min-seconds", "1", "--max-seconds", "1.2"])
    guard made.status == 0 else { throw FixtureError("synthesize: \(made.stderr)") }
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

  @Test(arguments: [
    (["gc", "--dry"], "Unknown option '--dry'. Did you mean '--dry-run'?", "gc"),
    (["transcode", "--al"], "Unknown option '--al'. Did you mean '--all'?", "transcode"),
    (
      ["split", "demo@1", "--test", "0.2", "--sed", "1"], "Unknown option '--sed'. Did you mean '--seed'?",
      "split"
    ),
    (
      ["roi", "show", "vid_1234", "--tiles", "3", "-o", "x.png"],
      "Unknown option '--tiles'. Did you mean '--tile'?", "roi show"
    ),
  ])
  func anUnknownOptionIsNamedWithTheClosestOneBeforeAnythingElse(
    _ arguments: [String], _ message: String, _ command: String
  ) throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    let result = try cli.run(arguments)
    #expect(result.status == 2)
    #expect(result.stderr == "error: \(message)\n  See 'pleura \(command) --help' for more information.\n")
  }

  @Test func ingestNamesTheMissingOption() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    let result = try cli.run(["ingest", "scan.mp4", "--patient", "P1"])
    #expect(result.status == 2)
    #expect(
      result.stderr.hasPrefix("error: FILE... needs --label present|absent|unknown\n"), "\(result.stderr)")
  }

  @Test func inputFilesThatAreNotFilesAreNamedBeforeAnyWork() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    let before = try CatalogSnapshot.take(cli.catalog)
    let missing = cli.folder.appendingPathComponent("nowhere.tar.zst").path
    let cases: [([String], String)] = [
      (["import", missing], "\(missing): no such file"),
      (["import", "/tmp"], "/tmp: is a folder, not a file"),
      (["bundle", "verify", "/dev/null"], "/dev/null: is a character device, not a file"),
      (["bundle", "show", "/tmp"], "/tmp: is a folder, not a file"),
      (["roi", "import", "/tmp"], "/tmp: is a folder, not a file"),
      (["ingest", "--manifest", "/tmp"], "--manifest /tmp: is a folder, not a file"),
      (
        ["ingest", "/dev/urandom", "--patient", "P1", "--label", "present"],
        "/dev/urandom: is a character device, not a video file"
      ),
    ]
    for (arguments, message) in cases {
      let result = try cli.run(arguments)
      #expect(result.status == 1, "\(arguments): \(result.stderr)")
      #expect(result.stderr == "error: \(message)\n", "\(arguments)")
    }
    #expect(try CatalogSnapshot.take(cli.catalog) == before)
  }

  @Test func outOfRangeCountsAreRefusedNamingTheValue() throws {
    let (cli, videos) = try Self.catalogWithVideos()
    defer { cli.cleanUp() }
    let video = videos[0]
    let before = try CatalogSnapshot.take(cli.catalog)
    let cases: [([String], Int32, String)] = [
      (
        ["roi", "show", video, "--tile", "0", "-o", "r.png"], 2,
        "--tile 0: a tile is 4...512 pixels, as in recipes"
      ),
      (["sheet", video, "--rows", "0", "-o", "s.png"], 2, "--rows 0: a contact sheet needs at least 1"),
      (["runs", "--limit", "-1"], 2, "--limit -1: must be 0 or more"),
      (
        ["roi", "set", video, "--rect", "5,5,50,50", "--frames", "5-2"], 2,
        "--frames 5-2: the first frame comes after the last"
      ),
      // A plugin's own range checks are usage errors too, through `pleura run` as through its command.
      (["run", "train", "--param", "epochs=0"], 2, "epochs 0 must be at least 1"),
      (["run", "evaluate", "--param", "bootstrap=-1"], 2, "bootstrap -1 must be at least 0"),
      (["run", "explain", "--param", "every=0"], 2, "every 0 must be at least 1"),
      (["run", "synthesize", "--param", "patients=0"], 2, "synthesize: patients 0 is outside 1...1000"),
      (
        ["run", "transcode", "--param", "scaling=squash"], 2,
        "transcode: scaling 'squash' is not stretch or letterbox"
      ),
    ]
    for (arguments, status, message) in cases {
      let result = try cli.run(arguments)
      #expect(result.status == status, "\(arguments): \(result.stderr)")
      #expect(result.stderr.hasPrefix("error: \(message)\n"), "\(arguments): \(result.stderr)")
    }
    #expect(try CatalogSnapshot.take(cli.catalog) == before)
  }

  @Test func aVideoIsNamedByItsFileNameAsTheListingShowsIt() throws {
    let (cli, _) = try Self.catalogWithVideos()
    defer { cli.cleanUp() }
    let listed = try #require(try cli.json(["videos"]) as? [[String: Any]])
    let id = try #require(listed.first?["id"] as? String)
    let file = try #require(listed.first?["fileName"] as? String)
    #expect(try cli.run(["show", file]).stdout.hasPrefix("source video \(id)"))
    #expect(try cli.run(["lineage", file]).stdout.contains(id))
    #expect(try cli.run(["frame", file, "-o", "f.png"]).status == 0)
    let unknown = try cli.run(["frame", "nothing.mp4", "-o", "f.png"])
    #expect(unknown.status == 2)
    #expect(
      unknown.stderr.hasPrefix("error: no source video or conversion named 'nothing.mp4' in this catalog"))
    let missing = try cli.run(["show", "vid_ffffffff"])
    #expect(
      missing.stderr == "error: no source video with id vid_ffffffff in this catalog (see `pleura videos`)\n")
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
    (["bench", "train"], [], "--width"), (["roi", "suggest"], ["vid_1234"], "--min-confidence"),
  ]

  @Test(arguments: ["nan", "inf", "-inf", "NaN", "infinity"])
  func nonFiniteNumbersAreUsageErrorsNamingTheOption(_ value: String) throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    // Every option with "nan"; every spelling with the first option (the options share one parser
    // of the spellings, and each run of the binary costs the fast loop time).
    let options = value == "nan" ? Self.floatingOptions : Array(Self.floatingOptions.prefix(1))
    for (command, needs, option) in options {
      let arguments = command + needs + [option, value]
      let result = try cli.run(arguments, withCatalog: command[0] != "bench")
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

  /// A folder is read for ultrasound DICOM (its DICOMDIR, else the DICOM files under it); one
  /// with none says so (the tests of folders that hold DICOM are in DicomIngestCLITests).
  @Test(arguments: [
    ("/dev/urandom", "/dev/urandom: is a character device, not a video file"),
    (
      "FOLDER",
      "FOLDER: is a folder with no DICOM file in it (a folder is read for ultrasound DICOM; give other"
    ),
  ])
  func ingestSaysWhatAPathIsWhenItIsNotAFile(_ given: String, _ expected: String) throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    var path = given
    var message = expected
    if given == "FOLDER" {
      let folder = cli.folder.appendingPathComponent("videos")
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
      try "notes".write(to: folder.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
      path = folder.path
      message = expected.replacingOccurrences(of: "FOLDER", with: folder.path)
    }
    let before = try CatalogSnapshot.take(cli.catalog)
    let result = try cli.run(["ingest", path, "--patient", "P1", "--label", "present"])
    #expect(result.status == 1)
    #expect(result.stderr.contains(message), "\(result.stderr)")
    #expect(!result.stderr.contains("empty") && !result.stderr.contains("no such file"))
    #expect(try CatalogSnapshot.take(cli.catalog) == before)
  }
}
