import Foundation

/// How `pleura serve` runs.
public struct WorkbenchConfiguration: Sendable {
  /// The largest request body read (label, ROI, note, login, account): 64 KiB.
  public static let maximumBodyBytes = 64 * 1024

  public var host: String
  public var port: Int
  /// Curators see only their own labels and ROIs (and programs' suggestions).
  public var blind: Bool

  public init(host: String = "127.0.0.1", port: Int = 8080, blind: Bool = false) {
    self.host = host
    self.port = port
    self.blind = blind
  }

  /// 127.0.0.0/8, ::1 and localhost: only this machine can connect.
  public var isLoopback: Bool { Self.isLoopback(host) }

  public static func isLoopback(_ host: String) -> Bool {
    let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    if bare == "localhost" || bare == "::1" { return true }
    let parts = bare.split(separator: ".", omittingEmptySubsequences: false)
    return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
  }
}
