import Hummingbird
import Platform
import Primitives

extension WorkbenchContext {
  /// The id in the path parameter `name`, checked to be an id of `kind` before any lookup: a
  /// malformed id, or an id of another kind, is refused with 400 and names what it is.
  func id(_ name: String, of kind: EntityKind) throws -> String {
    guard let text = parameters.get(name) else { throw WorkbenchError.badRequest("no \(name) in the path") }
    guard text.count <= 64, let found = EntityKind.of(id: text),
      text.dropFirst(found.idPrefix.count + 1).allSatisfy({ $0.isHexDigit && !$0.isUppercase }),
      text.count == found.idPrefix.count + 17
    else {
      throw WorkbenchError.badRequest("'\(String(text.prefix(64)).escapedForMessage)' is not an id")
    }
    guard found == kind else {
      throw WorkbenchError.badRequest("\(text) is a \(found.displayName) id, not a \(kind.displayName) id")
    }
    return text
  }

  func requireSession() throws -> Session {
    guard let session else { throw WorkbenchError(.unauthorized, "log in first") }
    return session
  }

  func require(_ role: WorkbenchUser.Role) throws -> Session {
    let session = try requireSession()
    guard session.role >= role else {
      throw WorkbenchError.forbidden(
        "\(session.user) is a \(session.role.rawValue); this needs a \(role.rawValue)")
    }
    return session
  }
}
