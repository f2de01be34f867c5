import Foundation

/// A temporary folder for one test, removed when the value goes away.
public final class Scratch: @unchecked Sendable {
  public let url: URL

  public init() {
    url = FileManager.default.temporaryDirectory.appending(path: "pleura-bundle-test-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(at: url) }

  /// A new empty sub-folder.
  public func folder(_ name: String) -> URL {
    let folder = url.appending(path: name, directoryHint: .isDirectory)
    try! FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
  }

  /// The names in `folder`, for asserting that nothing was left behind.
  public func contents(of folder: URL) -> [String] {
    (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
  }
}

/// Deterministic bytes for fixtures (xorshift), so failures reproduce.
public struct SeededBytes {
  public var state: UInt64

  public init(seed: UInt64) { state = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed }

  public mutating func next() -> UInt64 {
    state ^= state << 13
    state ^= state >> 7
    state ^= state << 17
    return state
  }

  public mutating func data(count: Int) -> Data {
    var bytes = [UInt8](repeating: 0, count: count)
    for i in 0..<count { bytes[i] = UInt8(truncatingIfNeeded: next()) }
    return Data(bytes)
  }

  public mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

extension Data {
  /// Writes the bytes without the fsync `Data.write(to:)` does: thousands of fuzz cases must not
  /// wait on a disk shared with other builds.
  public func writeUnsynced(to url: URL) {
    let file = fopen(url.path, "wb")!
    withUnsafeBytes { _ = fwrite($0.baseAddress, 1, $0.count, file) }
    fclose(file)
  }
}
