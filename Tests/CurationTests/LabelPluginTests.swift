import Curation
import Foundation
import GRDB
import Media
import Platform
import Testing

@Suite struct LabelPluginTests {
  func label(
    _ test: CurationCatalog, _ video: SourceVideo, _ label: SlidingLabel, by author: String,
    adjudicated: Bool? = nil, base: EditBase? = nil
  ) async throws -> RunOutcome {
    try await test.runner.run(
      LabelPlugin.self,
      parameters: .init(entries: [
        LabelEntry(video: video.id, label: label, author: author, adjudicated: adjudicated, base: base)
      ]))
  }

  @Test func ingestLabelIsVersionOneAndAnEditAddsVersionTwoWithItsAuthor() async throws {
    let test = try CurationCatalog()
    defer { test.cleanUp() }
    let video = test.videos[0]
    _ = try await label(test, video, .absent, by: "alice")
    let history = try await test.catalog.database.read { db in
      try LabelAnnotation.history(forVideo: video.id, in: db)
    }
    #expect(history.map(\.version) == [1, 2])
    #expect(history.map(\.label) == [.present, .absent])
    #expect(history.map(\.author) == ["ingest", "alice"])
    #expect(history[0].id == "lab_" + video.id.dropFirst(4))
    #expect(history[1].supersedesId == history[0].id)
    let current = try await test.catalog.database.read { db in
      try String.fetchOne(
        db, sql: "SELECT label FROM current_label WHERE source_video_id = ?", arguments: [video.id])
    }
    #expect(current == "absent")
    // The stored ingest label is never rewritten.
    let stored = try await test.catalog.database.read { db in try SourceVideo.fetchOne(db, key: video.id)! }
    #expect(stored.label == .present)
  }

  @Test func theSameLabelBySameAuthorAddsNothing() async throws {
    let test = try CurationCatalog()
    defer { test.cleanUp() }
    let first = try await label(test, test.videos[0], .absent, by: "alice")
    let again = try await label(test, test.videos[0], .absent, by: "alice")
    // The run stands for the version already there and makes no new one.
    #expect(again.outputs.allSatisfy(first.outputs.contains))
    #expect(again.summary.contains("unchanged"))
    let versions = try await test.catalog.database.read { db in
      try LabelAnnotation.history(forVideo: test.videos[0].id, in: db).count
    }
    #expect(versions == 2)
  }

  @Test func anAdjudicatedVersionStaysCurrentUntilAnotherAdjudication() async throws {
    let test = try CurationCatalog()
    defer { test.cleanUp() }
    let video = test.videos[0]
    _ = try await label(test, video, .absent, by: "alice")
    _ = try await label(test, video, .present, by: "rita", adjudicated: true)
    let later = try await label(test, video, .absent, by: "bob")
    #expect(later.summary.contains("stays the adjudicated version 3"))
    var current = try await test.catalog.database.read { db in
      try LabelAnnotation.current(forVideo: video.id, in: db)!
    }
    #expect(current.version == 3 && current.label == .present && current.author == "rita")
    _ = try await label(test, video, .absent, by: "rita", adjudicated: true)
    current = try await test.catalog.database.read { db in
      try LabelAnnotation.current(forVideo: video.id, in: db)!
    }
    #expect(current.version == 5 && current.label == .absent)
  }

  @Test func anEditOnAnOutOfDateVersionIsRefusedWithWhoChangedItAndNothingIsWritten() async throws {
    let test = try CurationCatalog()
    defer { test.cleanUp() }
    let video = test.videos[0]
    _ = try await label(test, video, .absent, by: "alice", base: EditBase(version: 1))
    let before = try test.snapshot()
    await #expect {
      _ = try await label(test, video, .unknown, by: "bob", base: EditBase(version: 1))
    } throws: { error in
      let text = String(describing: error)
      return text.contains("changed by alice at ") && text.contains("(version 2)")
    }
    #expect(try test.snapshot() == before)
    // Up to date, it goes through.
    let ok = try await label(test, video, .unknown, by: "bob", base: EditBase(version: 2))
    #expect(ok.outputs.count == 1)
  }

  @Test func aBlindEditorIsComparedWithTheirOwnVersionsOnly() async throws {
    let test = try CurationCatalog()
    defer { test.cleanUp() }
    let video = test.videos[0]
    _ = try await label(test, video, .absent, by: "alice")
    // Bob saw none of his own versions: alice's (and ingest's) are hidden from him.
    let bob = try await label(test, video, .present, by: "bob", base: EditBase(version: 0, ownOnly: true))
    #expect(bob.outputs.count == 1)
    await #expect(throws: LabelError.self) {
      _ = try await label(test, video, .absent, by: "bob", base: EditBase(version: 0, ownOnly: true))
    }
  }

  @Test(arguments: [
    ("vid_ffffffffffffffff", "present", "alice", "no source video vid_ffffffffffffffff"),
    ("conv_0123456789abcdef", "present", "alice", "no source video conv_0123456789abcdef"),
    ("VIDEO0", "maybe", "alice", "label 'maybe' is not one of present, absent, unknown"),
    ("VIDEO0", "present", "", "author '' must be 1-64 printable characters"),
    ("VIDEO0", "present", "a\nb", "must be 1-64 printable characters"),
  ])
  func badEntriesAreRefusedBeforeAnythingIsWritten(
    video: String, label: String, author: String, message: String
  )
    async throws
  {
    let test = try CurationCatalog()
    defer { test.cleanUp() }
    let before = try test.snapshot()
    var entry = LabelEntry(
      video: video == "VIDEO0" ? test.videos[0].id : video, label: .present, author: author)
    entry.label = label
    await #expect {
      _ = try await test.runner.run(LabelPlugin.self, parameters: .init(entries: [entry]))
    } throws: { error in
      String(describing: error).contains(message)
    }
    #expect(try test.snapshot() == before)
  }
}
