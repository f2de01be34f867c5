import Foundation
import TestSupport
import Testing

/// The workbench in a real browser: Tests/browser/workbench.py drives headless Chromium with
/// Selenium against `pleura serve` on a catalog made here, then the CLI checks that the ROI and
/// label the browser made are new versions by the curator who logged in. Screenshots of every page
/// go to .build/test-output/browser/.
@Suite(.serialized, .tags(.slow)) struct BrowserTests {
  static let chromium = Fixtures.which("chromium")
  static let chromedriver = Fixtures.which("chromedriver")
  static var chromiumInstalled: Bool { chromium != nil && chromedriver != nil }
  static let python = PackageRoot.url.appendingPathComponent("benchmarks/.venv/bin/python").path
  static let screenshots = PackageRoot.url.appendingPathComponent(".build/test-output/browser")

  @Test(
    .enabled(
      if: BrowserTests.chromiumInstalled,
      "Chromium and chromedriver are not installed (scripts/setup.sh --with-test-tools installs them)"))
  func aCuratorStepsFramesDrawsAnROIAndLabelsAVideoInABrowser() throws {
    try #require(
      FileManager.default.isExecutableFile(atPath: Self.python)
        && (try? Self.run(Self.python, ["-c", "import selenium, PIL"]).status) == 0,
      "Selenium and Pillow are not in benchmarks/.venv: run scripts/setup-python-tools.sh")
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init", "--site-name", "Browser site"])
    try cli.run([
      "synthesize", "--patients", "2", "--absent-fraction", "0.5", "--min-seconds", "2", "--max-seconds",
      "2.5",
      "--seed", "4",
    ])
    #expect(try cli.run(["transcode", "--all", "--preset", "ultrafast"]).status == 0)
    let password = "correct horse battery"
    for (name, role) in [("alice", "curator"), ("rita", "reviewer")] {
      let added = try Self.run(
        PleuraCLI.binary.path, ["user", "add", name, "--role", role, "--catalog", cli.catalog.path],
        input: password + "\n")
      #expect(added.status == 0, "\(added.output)")
    }
    let videos = try #require(try cli.json(["videos"]) as? [[String: Any]])
    let video = try #require(videos.first { $0["label"] as? String == "present" }?["id"] as? String)

    try? FileManager.default.removeItem(at: Self.screenshots)
    let browser = try Self.run(
      Self.python, [PackageRoot.url.appendingPathComponent("Tests/browser/workbench.py").path],
      environment: [
        "PLEURA_BIN": PleuraCLI.binary.path, "PLEURA_CATALOG": cli.catalog.path,
        "SCREENSHOTS": Self.screenshots.path, "VIDEO": video, "PASSWORD": password,
        "CHROMIUM": Self.chromium ?? "", "CHROMEDRIVER": Self.chromedriver ?? "",
      ])
    try #require(browser.status == 0, "\(browser.output)")
    #expect(browser.output.contains("frame 3 "))
    for page in ["login", "collection", "video", "review", "agreement", "datasets"] {
      let file = Self.screenshots.appendingPathComponent("\(page).png")
      let size = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? 0
      #expect(size > 5000, "\(page).png is missing or tiny")
    }

    let labels = try #require(try cli.json(["label", "history", video]) as? [[String: Any]])
    #expect(labels.last?["author"] as? String == "alice" && labels.last?["label"] as? String == "absent")
    #expect(labels.count == 2)
    let rois = try #require(try cli.json(["roi", "history", video]) as? [[String: Any]])
    #expect(rois.last?["author"] as? String == "alice" && rois.count == 2)
    #expect((rois.last?["conversionId"] as? String)?.hasPrefix("conv_") == true)
  }

  static func run(
    _ executable: String, _ arguments: [String], input: String? = nil, environment: [String: String] = [:]
  )
    throws -> (status: Int32, output: String)
  {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env.removeValue(forKey: "PLEURA_CATALOG")
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    let stdin = Pipe()
    process.standardInput = stdin
    try process.run()
    if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
    try stdin.fileHandleForWriting.close()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
  }
}
