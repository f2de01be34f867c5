import Foundation

/// Checks a `pictures` output before its files are stored: each file is named by its role
/// ("strip.png"), is a PNG whose signature, IHDR chunk (with its CRC) and IEND trailer are
/// sound, and is bounded in bytes and pixels. Pictures need no decoder to be checked, so the
/// check is Platform's own, like ``SafetensorsCheck``.
enum PicturesCheck {
  static let maxPictures = 64
  static let maxBytes = 32 << 20
  static let maxSide: UInt32 = 16384
  static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
  static let trailer: [UInt8] = [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]
  /// Bit depths each PNG colour type allows.
  static let depths: [UInt8: Set<UInt8>] = [
    0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16],
  ]

  static func check(_ output: ExternalOutput, files: [String: URL], field: String) throws {
    if let key = output.metadata.keys.sorted().first {
      throw ExternalResultCheck.Failure(
        "\(field): pictures take no metadata ('\(key.escapedForMessage)' given)")
    }
    guard !files.isEmpty, files.count <= maxPictures else {
      throw ExternalResultCheck.Failure(
        "\(field): pictures need 1 to \(maxPictures) PNG files; \(files.count) given")
    }
    for (role, url) in files.sorted(by: { $0.key < $1.key }) {
      let shown = "\(field) picture '\(role.escapedForMessage)'"
      guard ResultWords.isWord(role, limit: 64), role.lowercased().hasSuffix(".png") else {
        throw ExternalResultCheck.Failure(
          "\(shown): a picture's name must be a word ending in .png (letters, digits, '-', '_', '.')")
      }
      if let problem = problem(at: url) { throw ExternalResultCheck.Failure("\(shown) \(problem)") }
    }
  }

  /// Why the file is not a usable PNG, or nil.
  static func problem(at url: URL) -> String? {
    let size =
      (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.intValue ?? 0
    guard size <= maxBytes else { return "is larger than \(maxBytes) bytes" }
    guard let data = try? Data(contentsOf: url) else { return "cannot be read" }
    let bytes = [UInt8](data)
    guard bytes.count >= 8 + 25 + 12, Array(bytes[0..<8]) == signature else {
      return "is not a PNG file (no PNG signature)"
    }
    let ihdr = bytes[8..<33]
    guard Array(ihdr.prefix(8)) == [0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52] else {
      return "is not a PNG file (its first chunk is not a 13-byte IHDR)"
    }
    let fields = Array(bytes[16..<29])
    let stored = bigEndian(Array(bytes[29..<33]))
    guard CRC32.of(Array(bytes[12..<29])) == stored else { return "is corrupt (its IHDR checksum is wrong)" }
    let width = bigEndian(Array(fields[0..<4]))
    let height = bigEndian(Array(fields[4..<8]))
    guard width > 0, height > 0, width <= maxSide, height <= maxSide else {
      return "is \(width) x \(height) pixels; each side must be 1 to \(maxSide)"
    }
    guard let allowed = depths[fields[9]], allowed.contains(fields[8]), fields[10] == 0, fields[11] == 0,
      fields[12] <= 1
    else { return "is corrupt (colour type \(fields[9]) with bit depth \(fields[8]) is not PNG)" }
    guard Array(bytes.suffix(12)) == trailer else { return "is truncated (it does not end with IEND)" }
    return nil
  }

  private static func bigEndian(_ bytes: [UInt8]) -> UInt32 {
    bytes.reduce(0) { $0 << 8 | UInt32($1) }
  }
}

/// The CRC-32 of PNG chunks (ISO 3309, as zlib computes it).
enum CRC32 {
  static let table: [UInt32] = (0..<256).map { index in
    var value = UInt32(index)
    for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
    return value
  }

  static func of(_ bytes: [UInt8]) -> UInt32 {
    ~bytes.reduce(~UInt32(0)) { table[Int(($0 ^ UInt32($1)) & 0xFF)] ^ ($0 >> 8) }
  }
}
