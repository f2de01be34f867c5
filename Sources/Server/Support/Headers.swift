import Foundation
import HTTPTypes
import Hummingbird

extension HTTPField.Name {
  static let csrfToken = known("X-CSRF-Token")
  static let contentSecurityPolicy = known("Content-Security-Policy")
  static let contentTypeOptions = known("X-Content-Type-Options")
  static let frameOptions = known("X-Frame-Options")
  static let referrerPolicy = known("Referrer-Policy")

  /// A header name written in this module: a valid token by construction, so a refusal is a
  /// programming error, said by name.
  static func known(_ name: String) -> HTTPField.Name {
    guard let field = HTTPField.Name(name) else { preconditionFailure("'\(name)' is not a header name") }
    return field
  }
}

/// Responses the handlers build.
enum Reply {
  static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
    Response(
      status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
      body: .init(byteBuffer: ByteBuffer(string: text)))
  }

  static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let data = try encoder.encode(value)
    return Response(
      status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
      body: .init(byteBuffer: ByteBuffer(bytes: data)))
  }

  static func bytes(_ data: [UInt8], type: String, cache: String = "no-store") -> Response {
    Response(
      status: .ok, headers: [.contentType: type, .cacheControl: cache],
      body: .init(byteBuffer: ByteBuffer(bytes: data)))
  }

  static func redirect(_ location: String) -> Response {
    Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
  }
}
