import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Platform
import Server
import Testing

@Suite struct AuthTests {
  @Test func loginSetsAStrictHttpOnlySessionAndLogoutEndsIt() async throws {
    let fixture = try await ServerFixture()
    defer { fixture.cleanUp() }
    try await fixture.test { client in
      var browser = Browser(client)
      let before = try await browser.get("/")
      #expect(before.status == .seeOther && before.headers[.location]?.hasPrefix("/login") == true)
      let refused = try await browser.logIn("alice", password: "wrong password")
      #expect(refused.status == .unauthorized && refused.text.contains("Wrong name or password"))
      let unknown = try await browser.logIn("nobody")
      #expect(unknown.status == .unauthorized)
      let ok = try await browser.logIn("alice")
      #expect(ok.status == .seeOther && ok.headers[.location] == "/")
      let cookie = try #require(ok.headers[values: .setCookie].first { $0.hasPrefix("pleura_session=") })
      #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/"))
      let session = try await browser.get("/api/session")
      #expect(session.object["user"] as? String == "alice" && session.object["role"] as? String == "curator")
      #expect((try await browser.get("/")).status == .ok)
      // Logging out needs the page's token too.
      let forged = try await browser.request(
        .post, "/logout", headers: [.contentType: "application/x-www-form-urlencoded"], body: "csrf=0",
        csrf: false)
      #expect(forged.status == .forbidden)
      let out = try await browser.request(
        .post, "/logout", headers: [.contentType: "application/x-www-form-urlencoded"],
        body: "csrf=\(browser.csrf)", csrf: false)
      #expect(out.status == .seeOther)
      #expect((try await browser.get("/api/session")).status == .unauthorized)
    }
  }

  @Test func aLoginFormWithoutItsCookieTokenIsRefused() async throws {
    let fixture = try await ServerFixture()
    defer { fixture.cleanUp() }
    try await fixture.test { client in
      var browser = Browser(client)
      _ = try await browser.get("/login")
      let response = try await browser.request(
        .post, "/login", headers: [.contentType: "application/x-www-form-urlencoded"],
        body: "csrf=deadbeef&name=alice&password=correct+horse+battery", csrf: false)
      #expect(response.status == .forbidden && response.text.contains("CSRF"))
      #expect((try await browser.get("/api/session")).status == .unauthorized)
    }
  }

  @Test func aLoginNeverRedirectsToAnotherSite() async throws {
    let fixture = try await ServerFixture()
    defer { fixture.cleanUp() }
    try await fixture.test { client in
      var browser = Browser(client)
      let page = try await browser.get("/login?next=//evil.example/")
      let token = try require2(page.text.firstMatch(of: /name="csrf" value="([0-9a-f]+)"/)?.1)
      #expect(page.text.contains("name=\"next\" value=\"/\""))
      let response = try await browser.request(
        .post, "/login", headers: [.contentType: "application/x-www-form-urlencoded"],
        body: "csrf=\(token)&next=https%3A%2F%2Fevil.example&name=alice&password=correct+horse+battery",
        csrf: false)
      #expect(response.status == .seeOther && response.headers[.location] == "/")
    }
  }

  @Test func withoutAccountsOnLoopbackTheLocalUserEditsWithACSRFTokenStillRequired() async throws {
    let fixture = try await ServerFixture(accounts: [])
    defer { fixture.cleanUp() }
    let video = fixture.videos[0]
    try await fixture.test { client in
      var browser = Browser(client)
      let page = try await browser.get("/")
      #expect(page.status == .ok && browser.cookies["pleura_session"] != nil)
      let noToken = try await browser.request(
        .post, "/api/videos/\(video.id)/label", body: #"{"label":"unknown","base":1}"#, csrf: false)
      #expect(noToken.status == .forbidden && noToken.error.contains("CSRF"))
      let session = try await browser.get("/api/session")
      browser.csrf = session.object["csrf"] as? String ?? ""
      #expect(session.object["role"] as? String == "admin")
      let ok = try await browser.post("/api/videos/\(video.id)/label", #"{"label":"unknown","base":1}"#)
      #expect(ok.status == .ok, "\(ok.text)")
    }
  }

  @Test func aNetworkAddressNeedsAnAccountFirst() async throws {
    let fixture = try await ServerFixture(accounts: [])
    defer { fixture.cleanUp() }
    #expect(throws: WorkbenchServerError.self) {
      _ = try WorkbenchServer(catalog: fixture.catalog, configuration: .init(host: "0.0.0.0"))
    }
    let message = String(
      describing: WorkbenchServerError.noAccountForNetwork(host: "0.0.0.0"))
    #expect(message.contains("pleura user add"))
  }

  @Test func aLoopbackServerRefusesAForeignHostName() async throws {
    let fixture = try await ServerFixture(accounts: [])
    defer { fixture.cleanUp() }
    try await fixture.test { client in
      var browser = Browser(client)
      let rebound = try await browser.request(
        .get, "/api/session", headers: [HTTPField.Name("Host")!: "evil.example:8080"])
      #expect(rebound.status == .forbidden && rebound.error.contains("answers only to"))
      let local = try await browser.request(
        .get, "/api/session", headers: [HTTPField.Name("Host")!: "localhost:8080"])
      #expect(local.status == .ok)
    }
  }

  @Test func rolesLimitWhatEachAccountMayDo() async throws {
    let fixture = try await ServerFixture()
    defer { fixture.cleanUp() }
    let video = fixture.videos[0]
    try await fixture.test { client in
      var curator = Browser(client)
      try await curator.logIn("alice")
      #expect((try await curator.get("/api/review")).status == .forbidden)
      #expect((try await curator.get("/accounts")).status == .forbidden)
      let adjudicate = try await curator.post(
        "/api/videos/\(video.id)/label", #"{"label":"absent","base":1,"adjudicated":true}"#)
      #expect(adjudicate.status == .forbidden && adjudicate.error.contains("needs a reviewer"))
      let user = try await curator.post(
        "/api/users", #"{"name":"eve","role":"admin","password":"0123456789ab"}"#)
      #expect(user.status == .forbidden)

      var admin = Browser(client)
      try await admin.logIn("ada")
      let made = try await admin.post(
        "/api/users", #"{"name":"carl","role":"curator","password":"0123456789ab"}"#)
      #expect(made.status == .created)
      let again = try await admin.post(
        "/api/users", #"{"name":"carl","role":"curator","password":"0123456789ab"}"#)
      #expect(again.status == .conflict && again.error.contains("already exists"))
      let weak = try await admin.post("/api/users", #"{"name":"dora","role":"curator","password":"short"}"#)
      #expect(weak.status == .badRequest && weak.error.contains("at least 10"))
      let reserved = try await admin.post(
        "/api/users", #"{"name":"ingest","role":"curator","password":"0123456789ab"}"#)
      #expect(reserved.status == .badRequest)
      let role = try await admin.post(
        "/api/users", #"{"name":"dora","role":"king","password":"0123456789ab"}"#)
      #expect(role.status == .badRequest && role.error.contains("curator, reviewer, admin"))
      #expect((try await admin.get("/accounts")).text.contains("carl"))
    }
  }
}
