import Foundation
import GRDB
import Platform

public enum AccountError: Error, CustomStringConvertible, Equatable {
  case badName(String)
  case exists(String)
  case unknown(String)
  case weakPassword

  public var description: String {
    switch self {
    case .badName(let name):
      "account name '\(name.prefix(80))' must be 1-64 letters, digits, '.', '-' or '_'"
    case .exists(let name): "an account named \(name) already exists"
    case .unknown(let name): "no account named \(name)"
    case .weakPassword: "a password needs at least 10 characters"
    }
  }
}

/// Workbench accounts in the catalog. Passwords arrive here already hashed (the server's
/// `PasswordHash` does that); nothing here sees a password.
public enum Accounts {
  public static let minimumPasswordLength = 10

  /// Names are also authors of annotations: kept to letters, digits, '.', '-' and '_', and never
  /// one of the names programs write under.
  public static func validate(name: String) throws(AccountError) {
    guard (1...64).contains(name.count),
      name.unicodeScalars.allSatisfy({
        $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0))
      }),
      !AnnotationAuthor.reserved.contains(name)
    else { throw .badName(name) }
  }

  public static func add(_ user: WorkbenchUser, to catalog: Catalog) throws {
    try validate(name: user.name)
    try catalog.database.write { db in
      guard try WorkbenchUser.fetchOne(db, key: user.name) == nil else {
        throw AccountError.exists(user.name)
      }
      try user.insert(db)
    }
  }

  public static func find(_ name: String, in catalog: Catalog) throws -> WorkbenchUser? {
    try catalog.database.read { db in try WorkbenchUser.fetchOne(db, key: name) }
  }

  public static func all(in catalog: Catalog) throws -> [WorkbenchUser] {
    try catalog.database.read { db in try WorkbenchUser.order(WorkbenchUser.Columns.name).fetchAll(db) }
  }

  public static func count(in catalog: Catalog) throws -> Int {
    try catalog.database.read { db in try WorkbenchUser.fetchCount(db) }
  }
}
