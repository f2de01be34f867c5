import Curation
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Platform
import Server
import Testing

@Suite struct EditTests {
  @Test func aLabelAndAnROIFromThePageAreNewVersionsByTheLoggedInAuthor() async throws {
    let fixture = try await ServerFixture()
    defer { fixture.cleanUp() }
    let video = fixture.videos[0]
    let conversion = fixture.conversion(of: video)
    try await fixture.test { client in
      var browser = Browser(client)
      try await browser.logIn("alice")
      let detail = try await browser.get("/api/videos/\(video.id)")
      #expect(detail.object["labelBase"] as? Int == 1 && detail.object["roiBase"] as? Int == 1)
      #expect(detail.object["roiStatus"] as? String == "suggested")
      let label = try await browser.post("/api/videos/\(video.id)/label", #"{"label":"unknown","base":1}"#)
      #expect(label.status == .ok, "\(label.text)")
      #expect((label.object["currentLabel"] as? [String: Any])?["author"] as? String == "alice")
      let roi = try await browser.post(
        "/api/videos/\(video.id)/roi",
        #"{"conversion":"\#(conversion.id)","x":100,"y":120,"width":200,"height":90,"base":1}"#)
      #expect(roi.status == .ok, "\(roi.text)")
      #expect(roi.object["roiStatus"] as? String == "confirmed")
      let note = try await browser.post("/api/videos/\(video.id)/notes", #"{"text":"pleural line faint"}"#)
      #expect(note.status == .ok && ((note.object["notes"] as? [Any])?.count == 1))
    }
    let (labels, rois) = try await fixture.catalog.database.read { db in
      (
        try LabelAnnotation.history(forVideo: video.id, in: db),
        try RoiAnnotation.history(forVideo: video.id, in: db)
      )
    }
    #expect(labels.last?.author == "alice" && labels.last?.version == 2 && labels.last?.label == .unknown)
    #expect(
      rois.last?.author == "alice" && rois.last?.conversionId == conversion.id && rois.last?.version == 2)
    // Each edit is a run of the same plugin as the command line.
    let plugins = try await fixture.catalog.database.read { db in
      try String.fetchAll(
        db, sql: "SELECT plugin FROM run WHERE status = 'succeeded' ORDER BY started_at DESC LIMIT 2")
    }
    #expect(Set(plugins) == ["label", "roi"])
  }

  @Test func anEditOnAnOutOfDateVersionIsRefusedWithWhoChangedItAndWhen() async throws {
    let fixture = try await ServerFixture()
    defer { fixture.cleanUp() }
    let video = fixture.videos[0]
    let conversion = fixture.conversion(of: video)
    try await fixture.test { client in
      var alice = Browser(client)
      var bob = Browser(client)
      try await alice.logIn("alice")
      try await bob.logIn("bob")
      // Both opened the video at label version 1 and ROI version 1; alice saves first.
      #expect(
        (try await alice.post("/api/videos/\(video.id)/label", #"{"label":"absent","base":1}"#)).status == .ok
      )
      #expect(
        (try await alice.post(
          "/api/videos/\(video.id)/roi",
          #"{"conversion":"\#(conversion.id)","x":10,"y":10,"width":100,"height":60,"base":1}"#)).status
          == .ok)
      let before = try fixture.snapshot()
      let label = try await bob.post("/api/videos/\(video.id)/label", #"{"label":"present","base":1}"#)
      #expect(label.status == .conflict)
      #expect(label.error.contains("changed by alice at 20") && label.error.contains("(version 2)"))
      let roi = try await bob.post(
        "/api/videos/\(video.id)/roi",
        #"{"conversion":"\#(conversion.id)","x":20,"y":20,"width":100,"height":60,"base":1}"#)
      #expect(roi.status == .conflict && roi.error.contains("changed by alice at "))
      #expect(try fixture.snapshot() == before)
      // Reloaded, bob's edit goes through.
      let again = try await bob.post("/api/videos/\(video.id)/label", #"{"label":"present","base":2}"#)
      #expect(again.status == .ok)
    }
  }

  /// Each hostile request: refused with its status and one clear message, and nothing written.
  @Test func hostileWritesAreRefusedAndWriteNothing() async throws {
    let fixture = try await ServerFixture()
    defer { fixture.cleanUp() }
    let (video, other) = (fixture.videos[0], fixture.videos[1])
    let conversion = fixture.conversion(of: video)
    let foreign = fixture.conversion(of: other)
    let big = String(repeating: "x", count: 70_000)
    let cases: [(String, String, String, HTTPResponse.Status, String)] = [
      ("no token", "/api/videos/\(video.id)/label", #"{"label":"absent","base":1}"#, .forbidden, "CSRF"),
      (
        "unknown label", "/api/videos/\(video.id)/label", #"{"label":"maybe","base":1}"#, .badRequest,
        "not one of present, absent, unknown"
      ),
      (
        "id of another kind", "/api/videos/\(conversion.id)/label", #"{"label":"absent","base":1}"#,
        .badRequest,
        "is a conversion id, not a source video id"
      ),
      (
        "not an id", "/api/videos/..%2F..%2Fcatalog.sqlite/label", #"{"label":"absent","base":1}"#,
        .badRequest,
        "is not an id"
      ),
      (
        "unknown video", "/api/videos/vid_ffffffffffffffff/label", #"{"label":"absent","base":1}"#, .notFound,
        "no source video vid_ffffffffffffffff"
      ),
      ("not JSON", "/api/videos/\(video.id)/label", "label=absent", .badRequest, "not the JSON"),
      (
        "missing field", "/api/videos/\(video.id)/label", #"{"label":"absent"}"#, .badRequest, "has no 'base'"
      ),
      (
        "oversized body", "/api/videos/\(video.id)/notes", #"{"text":"\#(big)"}"#, .contentTooLarge,
        "larger than 65536"
      ),
      (
        "outside the frame", "/api/videos/\(video.id)/roi",
        #"{"conversion":"\#(conversion.id)","x":600,"y":10,"width":100,"height":60,"base":1}"#, .badRequest,
        "does not fit the conversion frame of 640x480"
      ),
      (
        "negative", "/api/videos/\(video.id)/roi",
        #"{"conversion":"\#(conversion.id)","x":-5,"y":10,"width":100,"height":60,"base":1}"#, .badRequest,
        "does not fit"
      ),
      (
        "overflowing", "/api/videos/\(video.id)/roi",
        #"{"conversion":"\#(conversion.id)","x":9223372036854775807,"y":0,"width":1,"height":1,"base":1}"#,
        .badRequest,
        "does not fit"
      ),
      (
        "frames past the end", "/api/videos/\(video.id)/roi",
        #"{"conversion":"\#(conversion.id)","x":10,"y":10,"width":100,"height":60,"frameStart":0,"frameEnd":100000,"base":1}"#,
        .badRequest, "is not inside the video's frames"
      ),
      (
        "half a frame range", "/api/videos/\(video.id)/roi",
        #"{"conversion":"\#(conversion.id)","x":10,"y":10,"width":100,"height":60,"frameStart":0,"base":1}"#,
        .badRequest, "needs both"
      ),
      (
        "another video's conversion", "/api/videos/\(video.id)/roi",
        #"{"conversion":"\#(foreign.id)","x":10,"y":10,"width":100,"height":60,"base":1}"#, .badRequest,
        "is not of video"
      ),
      (
        "a video id as conversion", "/api/videos/\(video.id)/roi",
        #"{"conversion":"\#(video.id)","x":10,"y":10,"width":100,"height":60,"base":1}"#, .badRequest,
        "is not a conversion id"
      ),
      (
        "a base that never was", "/api/videos/\(video.id)/label", #"{"label":"absent","base":7}"#, .conflict,
        "changed by"
      ),
      ("empty note", "/api/videos/\(video.id)/notes", #"{"text":"   "}"#, .badRequest, "needs some text"),
      (
        "long note", "/api/videos/\(video.id)/notes", #"{"text":"\#(String(repeating: "n", count: 4001))"}"#,
        .badRequest, "at most 4000 characters"
      ),
    ]
    try await fixture.test { client in
      var browser = Browser(client)
      try await browser.logIn("alice")
      let before = try fixture.snapshot()
      for (name, uri, body, status, message) in cases {
        let response = try await browser.request(.post, uri, body: body, csrf: name != "no token")
        #expect(response.status == status, "\(name): \(response.status) \(response.text)")
        #expect(response.error.contains(message), "\(name): \(response.error)")
        #expect(try fixture.snapshot() == before, "\(name) wrote something")
      }
      let wrongToken = try await browser.request(
        .post, "/api/videos/\(video.id)/label",
        headers: [HTTPField.Name("X-CSRF-Token")!: String(repeating: "0", count: 64)],
        body: #"{"label":"absent","base":1}"#)
      #expect(wrongToken.status == .forbidden)
      #expect(try fixture.snapshot() == before)
    }
  }

  @Test func blindCuratorsSeeOnlyTheirOwnLabelsAndROIs() async throws {
    let fixture = try await ServerFixture(configuration: .init(blind: true))
    defer { fixture.cleanUp() }
    let video = fixture.videos[0]
    try await fixture.test { client in
      var alice = Browser(client)
      var bob = Browser(client)
      var rita = Browser(client)
      try await alice.logIn("alice")
      try await bob.logIn("bob")
      try await rita.logIn("rita")
      let first = try await alice.get("/api/videos/\(video.id)")
      #expect(first.object["blind"] as? Bool == true && first.object["labelBase"] as? Int == 0)
      #expect((first.object["labels"] as? [Any])?.isEmpty == true)
      #expect(
        (try await alice.post("/api/videos/\(video.id)/label", #"{"label":"absent","base":0}"#)).status == .ok
      )
      // Bob is shown nothing of alice's, and his edit from "no version of mine" goes through.
      let shown = try await bob.get("/api/videos/\(video.id)")
      #expect((shown.object["labels"] as? [Any])?.isEmpty == true && shown.object["currentLabel"] == nil)
      #expect(!(try await bob.get("/?label=absent")).text.contains(video.fileName))
      #expect(
        (try await bob.post("/api/videos/\(video.id)/label", #"{"label":"present","base":0}"#)).status == .ok)
      // A reviewer sees both, and the disagreement.
      let review = try await rita.get("/api/review")
      let items = review.json as? [[String: Any]] ?? []
      #expect(items.contains { $0["video"] as? String == video.id && $0["labelDisagrees"] as? Bool == true })
      let decided = try await rita.post(
        "/api/videos/\(video.id)/label", #"{"label":"present","base":3,"adjudicated":true}"#)
      #expect(decided.status == .ok, "\(decided.text)")
      #expect(((try await rita.get("/api/review")).json as? [Any])?.isEmpty == true)
      let agreement = try await rita.get("/api/agreement")
      #expect(
        (agreement.json as? [[String: Any]] ?? []).contains {
          $0["annotatorA"] as? String == "alice" && $0["annotatorB"] as? String == "bob"
            && $0["labelVideos"] as? Int == 1
        })
    }
  }
}
