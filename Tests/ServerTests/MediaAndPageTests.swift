import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Platform
import Server
import Testing

@Suite struct MediaAndPageTests {
  @Test func conversionsAreServedWithRangeRequests() async throws {
    let fixture = try await ServerFixture()
    defer { fixture.cleanUp() }
    let conversion = fixture.conversions[0]
    let bytes = try fixture.catalog.blobs.read(conversion.blobSha256, of: "a test")
    try await fixture.test { client in
      var browser = Browser(client)
      try await browser.logIn("alice")
      let uri = "/media/conversions/\(conversion.id)/video.mp4"
      let whole = try await browser.get(uri)
      #expect(whole.status == .ok && Data(buffer: whole.body) == bytes)
      #expect(whole.headers[.acceptRanges] == "bytes" && whole.headers[.contentType] == "video/mp4")
      let part = try await browser.request(.get, uri, headers: [.range: "bytes=100-199"])
      #expect(part.status == .partialContent && part.headers[.contentRange] == "bytes 100-199/\(bytes.count)")
      #expect(Data(buffer: part.body) == bytes[100..<200])
      let tail = try await browser.request(.get, uri, headers: [.range: "bytes=-10"])
      #expect(Data(buffer: tail.body) == bytes.suffix(10))
      let open = try await browser.request(.get, uri, headers: [.range: "bytes=5-"])
      #expect(open.status == .partialContent && Data(buffer: open.body) == bytes[5...])
      let past = try await browser.request(.get, uri, headers: [.range: "bytes=\(bytes.count + 10)-"])
      #expect(past.status == .rangeNotSatisfiable && past.headers[.contentRange] == "bytes */\(bytes.count)")
      let video = try await browser.get("/media/conversions/\(fixture.videos[0].id)/video.mp4")
      #expect(video.status == .badRequest && video.error.contains("not a conversion id"))
      #expect(
        (try await browser.get("/media/conversions/conv_ffffffffffffffff/video.mp4")).status == .notFound)
    }
  }

  @Test func aDamagedConversionIsNeitherServedNorDrawn() async throws {
    let fixture = try await ServerFixture()
    defer { fixture.cleanUp() }
    let conversion = fixture.conversions[0]
    let path = try fixture.catalog.blobs.url(for: conversion.blobSha256).path
    chmod(path, 0o644)
    let handle = try #require(FileHandle(forUpdatingAtPath: path))
    try handle.seek(toOffset: 300)
    try handle.write(contentsOf: Data([0xFF, 0x00, 0xFF]))
    try handle.close()
    try await fixture.test { client in
      var browser = Browser(client)
      try await browser.logIn("alice")
      for uri in [
        "/media/conversions/\(conversion.id)/video.mp4", "/media/conversions/\(conversion.id)/mmode.png?x=10",
      ] {
        let response = try await browser.request(.get, uri, headers: [.range: "bytes=0-99"])
        #expect(response.status == .internalServerError, "\(uri)")
        #expect(response.error.contains("is damaged") && response.error.contains(conversion.id), "\(uri)")
      }
    }
  }

  @Test func theMModeOfAnyColumnAndACachedThumbnailArePNGs() async throws {
    let fixture = try await ServerFixture()
    defer { fixture.cleanUp() }
    let conversion = fixture.conversions[0]
    let video = fixture.videos.first { $0.id == conversion.sourceVideoId }!
    let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47]
    try await fixture.test { client in
      var browser = Browser(client)
      try await browser.logIn("alice")
      let mmode = try await browser.get("/media/conversions/\(conversion.id)/mmode.png?x=320")
      #expect(mmode.status == .ok && Array(Data(buffer: mmode.body).prefix(4)) == png)
      for x in ["-1", "640", "abc", ""] {
        let bad = try await browser.get("/media/conversions/\(conversion.id)/mmode.png?x=\(x)")
        #expect(bad.status == .badRequest && bad.error.contains("column from 0 to 639"))
      }
      let thumbnail = try await browser.get("/media/videos/\(video.id)/thumbnail.png")
      #expect(thumbnail.status == .ok && Array(Data(buffer: thumbnail.body).prefix(4)) == png)
      let again = try await browser.get("/media/videos/\(video.id)/thumbnail.png")
      #expect(Data(buffer: again.body) == Data(buffer: thumbnail.body))
    }
    let cached = try await fixture.catalog.database.read { db in
      try VideoThumbnail.fetchOne(db, key: video.id)
    }
    #expect(cached != nil && fixture.catalog.blobs.contains(cached!.blobSha256))
  }

  @Test func everyPageRendersAndNoURLReachesTheFileSystem() async throws {
    let fixture = try await ServerFixture()
    defer { fixture.cleanUp() }
    let video = fixture.videos[0]
    try await fixture.test { client in
      var reviewer = Browser(client)
      try await reviewer.logIn("rita")
      for (path, text) in [
        ("/", "<a href=\"/videos/\(video.id)\">\(video.fileName)</a>"),
        ("/?label=absent&sort=duration&order=desc", "Collection"),
        ("/?needs=1", "needs work"), ("/videos/\(video.id)", "video.js"), ("/review", "review.js"),
        ("/agreement", "Cohen"), ("/datasets", "Datasets"), ("/assets/app.css", "--accent"),
        ("/assets/video.js", "import { api"), ("/assets/common.js", "X-CSRF-Token"),
      ] {
        let response = try await reviewer.get(path)
        #expect(response.status == .ok, "\(path): \(response.status)")
        #expect(response.text.contains(text), "\(path) lacks \(text)")
      }
      let page = try await reviewer.get("/")
      #expect(page.headers[.init("Content-Security-Policy")!]?.contains("script-src 'self'") == true)
      #expect(page.headers[.init("X-Frame-Options")!] == "DENY")
      for (path, status) in [
        ("/assets/../catalog.sqlite", HTTPResponse.Status.notFound),
        ("/assets/%2e%2e%2fcatalog.sqlite", .notFound),
        ("/assets/..%2F..%2Fcatalog.sqlite", .notFound), ("/videos/..%2Fcatalog.sqlite", .badRequest),
        ("/videos/\(fixture.conversions[0].id)", .badRequest), ("/videos/vid_ffffffffffffffff", .notFound),
        ("/catalog.sqlite", .notFound), ("/objects/", .notFound), ("/?label=maybe", .badRequest),
        ("/?sort=;DROP", .badRequest), ("/?page=0", .badRequest), ("/?per=100000", .badRequest),
      ] {
        let response = try await reviewer.get(path)
        #expect(response.status == status, "\(path): \(response.status)")
        #expect(!response.text.contains("SQLite format"), "\(path) served the database")
        #expect(!response.text.contains("GRDB."), "\(path) shows a Swift value, not text")
      }
    }
  }

  @Test func theCollectionPagesFiltersAndSortsInSQL() async throws {
    let fixture = try await ServerFixture()
    defer { fixture.cleanUp() }
    try await fixture.test { client in
      var browser = Browser(client)
      try await browser.logIn("alice")
      let all = try await browser.get("/api/videos?per=1&sort=file")
      #expect(all.object["total"] as? Int == 2 && (all.object["rows"] as? [Any])?.count == 1)
      let second = try await browser.get("/api/videos?per=1&page=2&sort=file")
      let names = [all, second].compactMap {
        (($0.object["rows"] as? [[String: Any]])?.first?["fileName"]) as? String
      }
      #expect(names == names.sorted() && names.count == 2)
      let suggested = try await browser.get("/api/videos?roi=suggested")
      #expect(suggested.object["total"] as? Int == 2)
      let absent = try await browser.get("/api/videos?label=absent")
      #expect(absent.object["total"] as? Int == 1)
      let needs = try await browser.get("/api/videos?needs=1")
      #expect(needs.object["total"] as? Int == 2)
      let next = try await browser.get("/api/videos/\(fixture.videos[0].id)/next")
      #expect(
        next.object["next"] as? String == fixture.videos.map(\.id).first { $0 != fixture.videos[0].id }
          || next.object["next"] is String)
      let bad = try await browser.get("/api/videos?roi=maybe")
      #expect(bad.status == .badRequest && bad.error.contains("none, suggested, confirmed"))
    }
  }
}
