import Curation
import Foundation
import Hummingbird
import Media
import Platform

/// The JSON the pages read and the writes they make. Every write runs the same plugin as the
/// command line (`label`, `roi`), in one transaction, with the logged-in person as author.
struct ApiRoutes {
  let workbench: Workbench

  struct LabelRequest: Decodable {
    var label: String
    /// The highest version the page was shown (0 for none).
    var base: Int
    var adjudicated: Bool?
  }

  struct RoiRequest: Decodable {
    /// The conversion whose pixels the rectangle is in; absent for the source's.
    var conversion: String?
    var x: Int
    var y: Int
    var width: Int
    var height: Int
    var frameStart: Int?
    var frameEnd: Int?
    var base: Int
    var adjudicated: Bool?
  }

  struct NoteRequest: Decodable { var text: String }

  struct UserRequest: Decodable {
    var name: String
    var role: String
    var password: String
  }

  struct SessionInfo: Encodable {
    var user: String
    var role: String
    var blind: Bool
    var csrf: String
  }

  func add(to router: Router<WorkbenchContext>) {
    router.get("/api/session") { _, context in
      let session = try context.requireSession()
      return try Reply.json(
        SessionInfo(
          user: session.user, role: session.role.rawValue, blind: workbench.perspective(session).isBlind,
          csrf: session.csrf))
    }
    router.get("/api/videos") { request, context in try await videos(request, context) }
    router.get("/api/videos/:id") { _, context in
      let session = try context.requireSession()
      return try Reply.json(try detail(try context.id("id", of: .sourceVideo), session))
    }
    router.get("/api/videos/:id/next") { _, context in
      let session = try context.requireSession()
      let video = try context.id("id", of: .sourceVideo)
      let next = try await workbench.catalog.database.read { db in
        try WorkQueue.next(after: video, perspective: workbench.perspective(session), in: db)
      }
      return try Reply.json(["next": next])
    }
    router.get("/api/videos/:id/suggestion") { _, context in try await suggestion(context) }
    router.post("/api/videos/:id/label") { request, context in try await setLabel(request, context) }
    router.post("/api/videos/:id/roi") { request, context in try await setRoi(request, context) }
    router.post("/api/videos/:id/notes") { request, context in try await addNote(request, context) }
    router.get("/api/review") { request, context in try await review(request, context) }
    router.get("/api/agreement") { _, context in
      _ = try context.requireSession()
      return try Reply.json(try await workbench.catalog.database.read { db in try Agreement.pairs(in: db) })
    }
    router.post("/api/users") { request, context in try await addUser(request, context) }
  }

  // MARK: - Reading

  func videos(_ request: Request, _ context: WorkbenchContext) async throws -> Response {
    let session = try context.requireSession()
    let query = try Self.collectionQuery(request.uri.queryParameters)
    let page = try await workbench.catalog.database.read { db in
      try query.run(workbench.perspective(session), in: db)
    }
    return try Reply.json(page)
  }

  static func collectionQuery(_ parameters: Parameters) throws -> CollectionQuery {
    var query = CollectionQuery()
    func text(_ name: String) -> String? {
      guard let value = parameters.get(name), !value.isEmpty else { return nil }
      return value
    }
    func number(_ name: String) throws -> Int? {
      guard let value = text(name) else { return nil }
      guard let number = Int(value) else {
        throw WorkbenchError.badRequest("\(name) '\(value.prefix(40))' is not a number")
      }
      return number
    }
    query.label = text("label")
    query.roiStatus = text("roi")
    query.patient = text("patient")
    query.site = text("site")
    query.annotator = text("annotator")
    query.disagreement = text("disagreement") == "1"
    query.needsWork = text("needs") == "1"
    if let sort = text("sort") {
      guard let value = CollectionQuery.Sort(rawValue: sort) else {
        throw WorkbenchError.badRequest(
          "sort '\(sort.prefix(40))' is not one of "
            + CollectionQuery.Sort.allCases.map(\.rawValue).joined(separator: ", "))
      }
      query.sort = value
    }
    query.descending = text("order") == "desc"
    query.page = try number("page") ?? 1
    query.perPage = try number("per") ?? 50
    try query.validate()
    return query
  }

  func detail(_ video: String, _ session: Session) throws -> VideoDetail {
    guard
      let detail = try workbench.catalog.database.read({ db in
        try VideoDetail.read(video, perspective: workbench.perspective(session), in: db)
      })
    else { throw WorkbenchError.notFound("video \(video)") }
    return detail
  }

  /// The automatic ROI suggestion for the conversion the page plays, in its pixels.
  func suggestion(_ context: WorkbenchContext) async throws -> Response {
    _ = try context.requireSession()
    let video = try context.id("id", of: .sourceVideo)
    let conversion = try await workbench.catalog.database.read { db in
      guard try SourceVideo.fetchOne(db, key: video) != nil else {
        throw WorkbenchError.notFound("video \(video)")
      }
      guard let conversion = try VideoDetail.newestConversion(of: video, in: db) else {
        throw WorkbenchError(
          .conflict, "video \(video) has no conversion yet: run `pleura transcode \(video)`")
      }
      return conversion
    }
    let suggestion = try await workbench.suggestions.suggestion(for: conversion, catalog: workbench.catalog)
    // The box with its confidence and reasons: the page marks a low-confidence one as such.
    struct SuggestionReply: Encodable {
      var x, y, width, height: Int
      var confidence: Double
      var lowConfidence: Bool
      var reasons: [String]
    }
    let rect = suggestion.rect
    return try Reply.json(
      SuggestionReply(
        x: rect.x, y: rect.y, width: rect.width, height: rect.height, confidence: suggestion.confidence,
        lowConfidence: suggestion.isLowConfidence, reasons: suggestion.reasons))
  }

  func review(_ request: Request, _ context: WorkbenchContext) async throws -> Response {
    _ = try context.require(.reviewer)
    var threshold = Disagreements.defaultIoUThreshold
    if let text = request.uri.queryParameters.get("iou") {
      guard let value = Double(text), (0...1).contains(value) else {
        throw WorkbenchError.badRequest("iou '\(text.prefix(40))' is not a number from 0 to 1")
      }
      threshold = value
    }
    let iou = threshold
    let items = try await workbench.catalog.database.read { db in
      try ReviewItem.all(iouThreshold: iou, in: db)
    }
    return try Reply.json(items)
  }

  // MARK: - Writing

  func setLabel(_ request: Request, _ context: WorkbenchContext) async throws -> Response {
    let session = try context.require(.curator)
    let video = try context.id("id", of: .sourceVideo)
    var request = request
    let body = try await request.json(LabelRequest.self)
    guard let label = SlidingLabel(rawValue: body.label) else {
      throw WorkbenchError.badRequest(SlidingLabelError.invalid(String(body.label.prefix(40))).description)
    }
    if body.adjudicated == true { _ = try context.require(.reviewer) }
    let entry = LabelEntry(
      video: video, label: label, author: session.user, adjudicated: body.adjudicated == true ? true : nil,
      base: EditBase(version: body.base, ownOnly: workbench.perspective(session).isBlind))
    _ = try await workbench.runner.run(LabelPlugin.self, parameters: .init(entries: [entry]))
    return try Reply.json(try detail(video, session))
  }

  func setRoi(_ request: Request, _ context: WorkbenchContext) async throws -> Response {
    let session = try context.require(.curator)
    let video = try context.id("id", of: .sourceVideo)
    var request = request
    let body = try await request.json(RoiRequest.self)
    if body.adjudicated == true { _ = try context.require(.reviewer) }
    if let conversion = body.conversion, EntityKind.of(id: conversion) != .conversion {
      throw WorkbenchError.badRequest("conversion '\(conversion.prefix(64))' is not a conversion id")
    }
    guard (body.frameStart == nil) == (body.frameEnd == nil) else {
      throw WorkbenchError.badRequest("a frame range needs both frameStart and frameEnd")
    }
    let entry = RoiEntry(
      video: video, conversion: body.conversion ?? "",
      rect: PixelRect(x: body.x, y: body.y, width: body.width, height: body.height),
      frameStart: body.frameStart ?? -1, frameEnd: body.frameEnd ?? -1, author: session.user,
      adjudicated: body.adjudicated == true ? true : nil,
      base: EditBase(version: body.base, ownOnly: workbench.perspective(session).isBlind))
    if body.frameStart == -1 || body.frameEnd == -1 {
      throw WorkbenchError.badRequest("frame \(-1) is not inside the video")
    }
    _ = try await workbench.runner.run(RoiPlugin.self, parameters: .init(entries: [entry]))
    return try Reply.json(try detail(video, session))
  }

  func addNote(_ request: Request, _ context: WorkbenchContext) async throws -> Response {
    let session = try context.require(.curator)
    let video = try context.id("id", of: .sourceVideo)
    var request = request
    let body = try await request.json(NoteRequest.self)
    try VideoNotes.add(video: video, author: session.user, text: body.text, in: workbench.catalog)
    return try Reply.json(try detail(video, session))
  }

  func addUser(_ request: Request, _ context: WorkbenchContext) async throws -> Response {
    _ = try context.require(.admin)
    var request = request
    let body = try await request.json(UserRequest.self)
    guard let role = WorkbenchUser.Role(rawValue: body.role) else {
      throw WorkbenchError.badRequest("role '\(body.role.prefix(40))' is not one of curator, reviewer, admin")
    }
    try Accounts.validate(name: body.name)
    guard body.password.count >= Accounts.minimumPasswordLength else { throw AccountError.weakPassword }
    let user = WorkbenchUser(
      name: body.name, role: role, passwordHash: try PasswordHash.make(body.password),
      createdAt: Timestamp.now())
    try Accounts.add(user, to: workbench.catalog)
    return try Reply.json(["name": user.name, "role": role.rawValue], status: .created)
  }
}
