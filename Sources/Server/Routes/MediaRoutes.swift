import Curation
import Foundation
import Hummingbird
import Media
import Platform

/// Pictures and video for the pages: a conversion as MP4 with range requests (so `<video>` can
/// seek), a video's thumbnail (cached as a blob) and the M-mode strip of any column.
struct MediaRoutes {
  let workbench: Workbench

  func add(to router: Router<WorkbenchContext>) {
    router.get("/media/conversions/:id/video.mp4") { request, context in try await video(request, context) }
    router.get("/media/conversions/:id/mmode.png") { request, context in try await mmode(request, context) }
    router.get("/media/videos/:id/thumbnail.png") { _, context in try await thumbnail(context) }
    router.get("/media/cubes/:id/frames.png") { _, context in
      _ = try context.requireSession()
      let cube = try context.id("id", of: .cube)
      return Reply.bytes(
        Array(try CubeFrames.png(cube: cube, catalog: workbench.catalog)), type: "image/png",
        cache: "private, max-age=86400")
    }
  }

  func conversion(_ context: WorkbenchContext) async throws -> Conversion {
    _ = try context.requireSession()
    let id = try context.id("id", of: .conversion)
    let found = try await workbench.catalog.database.read { db in try Conversion.fetchOne(db, key: id) }
    guard let conversion = found else { throw WorkbenchError.notFound("conversion \(id)") }
    return conversion
  }

  func video(_ request: Request, _ context: WorkbenchContext) async throws -> Response {
    let conversion = try await conversion(context)
    guard workbench.catalog.blobs.contains(conversion.blobSha256) else {
      throw WorkbenchError.notFound(
        "the bytes of conversion \(conversion.id) (they stayed at the site that made it)")
    }
    // Verified once per file as it stands (see `BlobStore.openVerified`), not per range request.
    let handle = try workbench.catalog.blobs.openVerified(
      conversion.blobSha256, of: "conversion \(conversion.id)")
    defer { try? handle.close() }
    let size = Int(try handle.seekToEnd())
    var headers: HTTPFields = [
      .contentType: "video/mp4", .acceptRanges: "bytes", .cacheControl: "private, max-age=3600",
    ]
    switch ByteRange.parse(request.headers[.range], size: size) {
    case .unsatisfiable:
      headers[.contentRange] = "bytes */\(size)"
      return Response(status: .rangeNotSatisfiable, headers: headers)
    case .whole:
      try handle.seek(toOffset: 0)
      let data = try handle.readToEnd() ?? Data()
      headers[.contentLength] = "\(data.count)"
      return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    case .range(let range):
      try handle.seek(toOffset: UInt64(range.first))
      let data = try handle.read(upToCount: range.last - range.first + 1) ?? Data()
      headers[.contentRange] = "bytes \(range.first)-\(range.first + data.count - 1)/\(size)"
      headers[.contentLength] = "\(data.count)"
      return Response(
        status: .partialContent, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
  }

  func mmode(_ request: Request, _ context: WorkbenchContext) async throws -> Response {
    let conversion = try await conversion(context)
    guard let text = request.uri.queryParameters.get("x"), let x = Int(text),
      (0..<conversion.width).contains(x)
    else {
      throw WorkbenchError.badRequest("x must be a column from 0 to \(conversion.width - 1)")
    }
    let stack = try await workbench.lumaStacks.stack(for: conversion, catalog: workbench.catalog)
    let png = try PNGWriter.encode(stack.mmode(column: x))
    return Reply.bytes(Array(png), type: "image/png", cache: "private, max-age=3600")
  }

  func thumbnail(_ context: WorkbenchContext) async throws -> Response {
    _ = try context.requireSession()
    let video = try context.id("id", of: .sourceVideo)
    let png = try await Thumbnails.png(for: video, catalog: workbench.catalog)
    return Reply.bytes(Array(png), type: "image/png", cache: "private, max-age=86400")
  }
}
