import Foundation
import Hummingbird
import NIOCore

extension Request {
  /// The body, refused with 413 when larger than the workbench takes (nothing else is read).
  mutating func smallBody() async throws -> ByteBuffer {
    do {
      return try await collectBody(upTo: WorkbenchConfiguration.maximumBodyBytes)
    } catch is NIOTooManyBytesError {
      throw WorkbenchError(
        .contentTooLarge, "the request body is larger than \(WorkbenchConfiguration.maximumBodyBytes) bytes")
    }
  }

  /// A JSON body decoded as `T`, or 400 naming what is wrong.
  mutating func json<T: Decodable>(_ type: T.Type) async throws -> T {
    let buffer = try await smallBody()
    do {
      return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
    } catch DecodingError.keyNotFound(let key, _) {
      throw WorkbenchError.badRequest("the request has no '\(key.stringValue)'")
    } catch DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context) {
      throw WorkbenchError.badRequest(
        "'\(context.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type")
    } catch {
      throw WorkbenchError.badRequest("the request body is not the JSON this endpoint takes")
    }
  }

  /// An `application/x-www-form-urlencoded` body as name-value pairs (first value wins).
  mutating func form() async throws -> [String: String] {
    let buffer = try await smallBody()
    var fields: [String: String] = [:]
    for pair in String(buffer: buffer).split(separator: "&") {
      let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      func decode(_ text: Substring) -> String {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
      }
      let name = decode(parts[0])
      if fields[name] == nil { fields[name] = parts.count > 1 ? decode(parts[1]) : "" }
    }
    return fields
  }
}
