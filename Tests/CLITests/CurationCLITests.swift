import Foundation
import TestSupport
import Testing

/// `pleura label`, `label history`, `agreement`, and label and ROI versions through dataset builds,
/// `dataset diff` and a pseudonymised bundle, end to end.
@Suite struct CurationCLITests {
  @Test(.tags(.slow)) func labelAndRoiEditsMakeANewDatasetVersionThatDiffNamesAndTheBundleCarries() throws {
    let a = PleuraCLI()
    defer { a.cleanUp() }
    try a.run(["init", "--site-name", "Hospital A"])
    try a.run([
      "synthesize", "--patients", "2", "--absent-fraction", "0.5", "--min-seconds", "2.1", "--max-seconds",
      "2.2", "--seed", "5",
    ])
    #expect(try a.run(["transcode", "--all", "--preset", "ultrafast"]).status == 0)
    let videos = try #require(try a.json(["videos"]) as? [[String: Any]])
    let video = try #require(videos.first { $0["label"] as? String == "present" }?["id"] as? String)
    #expect(videos.allSatisfy { $0["labelAuthor"] as? String == "ingest" && $0["labelVersion"] as? Int == 1 })
    #expect(try a.run(["dataset", "build", "demo"]).status == 0)

    let set = try a.run(["label", video, "absent", "--author", "alice"])
    #expect(set.status == 0 && set.stdout.contains("label version 2 absent by alice"), "\(set.stderr)")
    let history = try #require(try a.json(["label", "history", video]) as? [[String: Any]])
    #expect(history.map { $0["author"] as? String } == ["ingest", "alice"])
    #expect(history.map { $0["label"] as? String } == ["present", "absent"])
    #expect(try a.run(["label", "history", video]).stdout.contains("*  2"))

    #expect(try a.run(["dataset", "build", "demo"]).stdout.contains("demo@2"))
    let labelDiff = try #require(try a.json(["dataset", "diff", "demo@1", "demo@2"]) as? [[String: Any]])
    #expect(labelDiff.count == 1)
    #expect(labelDiff.first?["labelChange"] as? String == "present v1 -> absent v2")
    #expect(labelDiff.first?["roiChange"] == nil)

    #expect(try a.run(["roi", "set", video, "--rect", "100,150,300,120", "--author", "bob"]).status == 0)
    #expect(try a.run(["dataset", "build", "demo"]).stdout.contains("demo@3"))
    let roiDiff = try #require(try a.json(["dataset", "diff", "demo@2", "demo@3"]) as? [[String: Any]])
    #expect(roiDiff.first?["roiChange"] as? String == "v1 -> v2")
    #expect(try a.run(["dataset", "show", "demo@3"]).stdout.contains("absent v2"))

    let agreement = try #require(try a.json(["agreement"]) as? [[String: Any]])
    #expect(
      agreement.contains {
        $0["annotatorA"] as? String == "alice" && $0["annotatorB"] as? String == "ingest"
          && $0["labelVideos"] as? Int == 1 && $0["labelsAgreeing"] as? Int == 0
      })
    #expect(
      agreement.contains {
        $0["annotatorA"] as? String == "bob" && $0["annotatorB"] as? String == "synthesize"
          && $0["roiVideos"] as? Int == 1
      })

    // The bundle carries the label history, the author pseudonymised.
    let key = a.folder.appendingPathComponent("site.key").path
    let bundle = a.folder.appendingPathComponent("demo-3.tar.zst").path
    let export = try a.run(["export", "demo@3", "-o", bundle, "--pseudonymize", "--key-file", key])
    #expect(export.status == 0, "\(export.stderr)")
    let b = PleuraCLI()
    defer { b.cleanUp() }
    try b.run(["init", "--site-name", "Hospital B"])
    #expect(try b.run(["import", bundle]).status == 0)
    let imported = try #require(try b.json(["label", "history", video]) as? [[String: Any]])
    let authors = imported.compactMap { $0["author"] as? String }
    #expect(
      authors.count == 2 && authors[0] == "ingest" && authors[1].hasPrefix("a-") && authors[1] != "alice")
    let listed = try #require(try b.json(["videos"]) as? [[String: Any]])
    #expect(listed.first { $0["id"] as? String == video }?["label"] as? String == "absent")
    #expect(try b.run(["verify"]).status == 0)
  }

  @Test func aBadLabelCommandSaysWhatIsWrongAndChangesNothing() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    try cli.run([
      "synthesize", "--patients", "1", "--min-seconds", "1", "--max-seconds", "1.2", "--seed", "3",
    ])
    let video = try #require((try cli.json(["videos"]) as? [[String: Any]])?.first?["id"] as? String)
    let before = try cli.run(["label", "history", video, "--json"]).stdout
    let maybe = try cli.run(["label", video, "maybe"])
    #expect(
      maybe.status == 2 && maybe.stderr.contains("label 'maybe' is not one of present, absent, unknown"))
    let unknown = try cli.run(["label", "vid_ffffffffffffffff", "absent"])
    #expect(unknown.status != 0 && unknown.stderr.contains("vid_ffffffffffffffff"))
    let author = try cli.run(["label", video, "absent", "--author", ""])
    #expect(author.status == 2 && author.stderr.contains("author '' must be 1-64 printable characters"))
    #expect(try cli.run(["label", "history", video, "--json"]).stdout == before)
  }
}

/// `pleura report`, `pleura user` and the refusals of `pleura serve`, end to end.
@Suite struct WorkbenchCLITests {
  @Test(.tags(.slow)) func theReportIsOneOfflineHTMLFileWithItsPicturesInlined() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    try cli.run([
      "synthesize", "--patients", "6", "--absent-fraction", "0.5", "--min-seconds", "2.1", "--max-seconds",
      "2.2",
      "--seed", "5",
    ])
    #expect(try cli.run(["transcode", "--all", "--preset", "ultrafast"]).status == 0)
    #expect(try cli.run(["dataset", "build", "demo"]).status == 0)
    #expect(try cli.run(["split", "demo@1"]).status == 0)
    let train = try cli.run(["train", "demo@1", "--width", "0.03125", "--epochs", "1", "--batch", "16"])
    #expect(train.status == 0, "\(train.stderr)")
    let model = try #require((try cli.json(["models"]) as? [[String: Any]])?.first?["id"] as? String)
    #expect(try cli.run(["evaluate", model, "--bootstrap", "20"]).status == 0)
    let explain = try cli.run([
      "explain", model, "--samples", "2", "-o", cli.folder.appendingPathComponent("saliency").path,
    ])
    #expect(explain.status == 0, "\(explain.stderr)")

    let file = cli.folder.appendingPathComponent("report.html")
    let made = try cli.run(["report", "-o", file.path])
    #expect(made.status == 0 && made.stdout.contains("pictures inlined"), "\(made.stderr)")
    let html = try String(contentsOf: file, encoding: .utf8)
    #expect(html.contains("Table 4: test results") && html.contains(model))
    #expect(html.contains("Training curves") && html.contains("Saliency (Figure 5)"))
    #expect(html.components(separatedBy: "src=\"data:image/png;base64,").count - 1 >= 3)
    // Nothing is fetched when it is opened: no address outside the file.
    #expect(!html.contains("src=\"http") && !html.contains("href=\"http") && !html.contains("<script"))

    let again = try cli.run(["report", "-o", file.path])
    #expect(again.status == 2 && again.stderr.contains("already exists"))
    let unknown = try cli.run([
      "report", "model_ffffffffffffffff", "-o", cli.folder.appendingPathComponent("x.html").path,
    ])
    #expect(unknown.status == 1 && unknown.stderr.contains("is not a model of this catalog"))
  }

  @Test func serveNeedsAnAccountForANetworkAddressAndUserAddRefusesBadAccounts() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    let network = try cli.run(["serve", "--host", "0.0.0.0", "--port", "0"])
    #expect(network.status == 2 && network.stderr.contains("pleura user add NAME --role admin"))
    #expect(network.stderr.split(separator: "\n").count == 1)
    let role = try BrowserTests.run(
      PleuraCLI.binary.path, ["user", "add", "bob", "--role", "king", "--catalog", cli.catalog.path],
      input: "0123456789ab\n")
    #expect(role.status == 2 && role.output.contains("curator, reviewer, admin"))
    let reserved = try BrowserTests.run(
      PleuraCLI.binary.path, ["user", "add", "ingest", "--catalog", cli.catalog.path], input: "0123456789ab\n"
    )
    #expect(reserved.status == 2 && reserved.output.contains("account name 'ingest'"))
    let short = try BrowserTests.run(
      PleuraCLI.binary.path, ["user", "add", "bob", "--catalog", cli.catalog.path], input: "short\n")
    #expect(short.status == 2 && short.output.contains("at least 10 characters"))
    let ok = try BrowserTests.run(
      PleuraCLI.binary.path, ["user", "add", "bob", "--role", "admin", "--catalog", cli.catalog.path],
      input: "0123456789ab\n")
    #expect(ok.status == 0 && ok.output.contains("added admin bob"))
    let twice = try BrowserTests.run(
      PleuraCLI.binary.path, ["user", "add", "bob", "--catalog", cli.catalog.path], input: "0123456789ab\n")
    #expect(twice.status == 2 && twice.output.contains("already exists"))
    let users = try #require(try cli.json(["user", "list"]) as? [[String: Any]])
    #expect(users.map { $0["name"] as? String } == ["bob"] && users.first?["role"] as? String == "admin")
    // The listing shows names and roles only.
    let listed = try cli.run(["user", "list", "--json"]).stdout
    #expect(!listed.contains("0123456789ab"))
  }
}
