import Foundation
import Platform

/// A logged-in person: who, with which role, and the token every write must carry.
public struct Session: Sendable, Equatable {
  public var token: String
  public var user: String
  public var role: WorkbenchUser.Role
  public var csrf: String
  /// Made without a login because the catalog has no accounts and the server listens on loopback.
  public var local: Bool
  var lastSeen: Date
}

/// Sessions live in the server's memory only: a restart logs everyone out, and nothing about a
/// session is ever written to the catalog.
final class SessionStore: @unchecked Sendable {
  /// A session unused this long is gone.
  static let idleLimit: TimeInterval = 12 * 3600

  private let lock = NSLock()
  private var sessions: [String: Session] = [:]

  func create(user: String, role: WorkbenchUser.Role, local: Bool = false) -> Session {
    let session = Session(
      token: Self.randomToken(), user: user, role: role, csrf: Self.randomToken(), local: local,
      lastSeen: Date())
    lock.withLock { sessions[session.token] = session }
    return session
  }

  func find(_ token: String) -> Session? {
    lock.withLock {
      guard var session = sessions[token] else { return nil }
      guard Date().timeIntervalSince(session.lastSeen) < Self.idleLimit else {
        sessions[token] = nil
        return nil
      }
      session.lastSeen = Date()
      sessions[token] = session
      return session
    }
  }

  func remove(_ token: String) { _ = lock.withLock { sessions.removeValue(forKey: token) } }

  /// 32 random bytes as hex.
  static func randomToken() -> String {
    var generator = SystemRandomNumberGenerator()
    return (0..<4).map { _ in
      let hex = String(generator.next() as UInt64, radix: 16)
      return String(repeating: "0", count: 16 - hex.count) + hex
    }.joined()
  }

  /// Compares tokens without an early exit.
  static func same(_ a: String, _ b: String) -> Bool {
    PasswordHash.constantTimeEqual(Array(a.utf8), Array(b.utf8))
  }
}
