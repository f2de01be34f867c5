import Curation
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Media
import Platform
import Server

/// A catalog of two synthetic videos, transcoded, made once per test process and copied for each
/// test, with accounts and a server over it.
struct ServerFixture {
  let folder: URL
  let catalog: Catalog
  let server: WorkbenchServer
  let videos: [SourceVideo]
  let conversions: [Conversion]

  static let password = "correct horse battery"

  init(
    accounts: [(String, WorkbenchUser.Role)] = [
      ("alice", .curator), ("bob", .curator), ("rita", .reviewer),
      ("ada", .admin),
    ],
    configuration: WorkbenchConfiguration = .init()
  ) async throws {
    let template = try await Template.shared.folder()
    folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "pleura-serve-\(UUID().uuidString)")
    try FileManager.default.copyItem(at: template, to: folder)
    catalog = try Catalog.open(at: folder)
    // A test's own iteration count: verification reads it from the stored hash, as for any account.
    for (name, role) in accounts {
      try Accounts.add(
        WorkbenchUser(
          name: name, role: role, passwordHash: try PasswordHash.make(Self.password, iterations: 1000),
          createdAt: Timestamp.now()), to: catalog)
    }
    server = try WorkbenchServer(catalog: catalog, configuration: configuration)
    (videos, conversions) = try await catalog.database.read { db in
      (
        try SourceVideo.order(Column("created_at"), Column("id")).fetchAll(db),
        try Conversion.order(Column("created_at"), Column("id")).fetchAll(db)
      )
    }
  }

  func cleanUp() { try? FileManager.default.removeItem(at: folder) }

  func conversion(of video: SourceVideo) -> Conversion { conversions.first { $0.sourceVideoId == video.id }! }

  /// Runs `body` against the router, as Hummingbird's tests do.
  func test<T: Sendable>(_ body: @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
    try await Application(router: server.router()).test(.router, body)
  }

  /// Every row of every table, as text: equal snapshots mean nothing was written.
  func snapshot() throws -> [String] {
    try catalog.database.read { db in
      var lines: [String] = []
      let tables = try String.fetchAll(
        db,
        sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      for table in tables {
        for row in try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY rowid") {
          lines.append("\(table): \(row.description)")
        }
      }
      return lines
    }
  }

  /// The template catalog, made on first use and removed when the test process exits.
  actor Template {
    static let shared = Template()
    private var made: URL?
    nonisolated(unsafe) private static var folderToRemove: String?

    func folder() async throws -> URL {
      if let made { return made }
      let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
        "pleura-serve-template-\(UUID().uuidString)")
      Self.folderToRemove = folder.path
      atexit {
        if let path = Template.folderToRemove { try? FileManager.default.removeItem(atPath: path) }
      }
      let catalog = try Catalog.create(at: folder, siteName: "test-site")
      let runner = Runner(catalog: catalog)
      var synthesize = SynthesizePlugin.Parameters()
      synthesize.patients = 2
      synthesize.seed = 11
      synthesize.absentFraction = 0.5
      synthesize.minSeconds = 1.0
      synthesize.maxSeconds = 1.2
      _ = try await runner.run(SynthesizePlugin.self, parameters: synthesize)
      var transcode = TranscodePlugin.Parameters()
      transcode.preset = "ultrafast"
      let videos = try await catalog.database.read { db in try SourceVideo.fetchAll(db) }
      for video in videos {
        _ = try await runner.run(
          TranscodePlugin.self, parameters: transcode, inputs: [EntityRef(.sourceVideo, video.id)])
      }
      _ = try await catalog.database.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
      made = folder
      return folder
    }
  }
}

/// A client with a cookie jar and the session's CSRF token, as a browser would be.
struct Browser {
  let client: any TestClientProtocol
  var cookies: [String: String] = [:]
  var csrf = ""

  init(_ client: any TestClientProtocol) { self.client = client }

  var cookieHeader: String {
    cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
  }

  @discardableResult
  mutating func request(
    _ method: HTTPRequest.Method, _ uri: String, headers: HTTPFields = [:], body: String? = nil,
    csrf sendCSRF: Bool = true
  ) async throws -> TestResponse {
    var fields = headers
    if !cookies.isEmpty { fields[.cookie] = cookieHeader }
    if method == .post, sendCSRF, fields[HTTPField.Name("X-CSRF-Token")!] == nil {
      fields[HTTPField.Name("X-CSRF-Token")!] = csrf
    }
    if body != nil, fields[.contentType] == nil { fields[.contentType] = "application/json" }
    let response = try await client.executeRequest(
      uri: uri, method: method, headers: fields, body: body.map { ByteBuffer(string: $0) })
    for value in response.headers[values: .setCookie] {
      let pair = value.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
      if pair.count == 2 {
        cookies[String(pair[0])] = String(pair[1])
      } else if pair.count == 1 {
        cookies[String(pair[0])] = ""
      }
    }
    return response
  }

  mutating func get(_ uri: String) async throws -> TestResponse { try await request(.get, uri) }

  mutating func post(_ uri: String, _ json: String) async throws -> TestResponse {
    try await request(.post, uri, body: json)
  }

  /// Logs in through the form and keeps the session's CSRF token.
  @discardableResult
  mutating func logIn(_ name: String, password: String = ServerFixture.password) async throws -> TestResponse
  {
    let page = try await get("/login")
    let html = String(buffer: page.body)
    let token = try require2(html.firstMatch(of: /name="csrf" value="([0-9a-f]+)"/)?.1)
    let form =
      "csrf=\(token)&next=%2F&name=\(name)&password=\(password.replacingOccurrences(of: " ", with: "+"))"
    let response = try await request(
      .post, "/login", headers: [.contentType: "application/x-www-form-urlencoded"], body: form, csrf: false)
    if response.status == .seeOther {
      let session = try await get("/api/session")
      csrf =
        (try JSONSerialization.jsonObject(with: Data(buffer: session.body)) as? [String: Any])?["csrf"]
        as? String ?? ""
    }
    return response
  }
}

struct MissingValue: Error {}

func require2<T>(_ value: T?) throws -> T {
  guard let value else { throw MissingValue() }
  return value
}

extension TestResponse {
  var text: String { String(buffer: body) }
  var json: Any? { try? JSONSerialization.jsonObject(with: Data(buffer: body)) }
  var object: [String: Any] { json as? [String: Any] ?? [:] }
  var error: String { object["error"] as? String ?? "" }
}
