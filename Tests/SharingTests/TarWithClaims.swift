import Foundation

/// Writes a plain (uncompressed) ustar archive whose entries may claim more bytes than they hold:
/// the archive stops after the first short entry, as a cut-off decompression bomb would look to a
/// reader that stops writing where it should. Sizes past 8 GiB use the base-256 form GNU tar and
/// libarchive read.
enum TarWithClaims {
  struct Entry {
    var name: String
    var isFolder = false
    /// The size the header declares; `data` may be shorter.
    var declared: Int64
    var data: Data

    static func folder(_ name: String) -> Entry {
      Entry(name: name, isFolder: true, declared: 0, data: Data())
    }
    static func file(_ name: String, _ data: Data) -> Entry {
      Entry(name: name, declared: Int64(data.count), data: data)
    }
    static func claiming(_ name: String, _ declared: Int64) -> Entry {
      Entry(name: name, declared: declared, data: Data(count: 512))
    }
  }

  static func write(_ entries: [Entry], to url: URL) throws {
    var out = Data()
    for entry in entries {
      out.append(header(entry))
      out.append(entry.data)
      if Int64(entry.data.count) < entry.declared { break }
      out.append(Data(count: (512 - entry.data.count % 512) % 512))
    }
    if entries.allSatisfy({ Int64($0.data.count) >= $0.declared }) { out.append(Data(count: 1024)) }
    try out.write(to: url)
  }

  static func header(_ entry: Entry) -> Data {
    var block = [UInt8](repeating: 0, count: 512)
    func put(_ text: String, at offset: Int) {
      for (index, byte) in text.utf8.enumerated() { block[offset + index] = byte }
    }
    func octal(_ value: Int64, at offset: Int, width: Int) {
      let digits = String(value, radix: 8)
      put(String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits, at: offset)
    }
    precondition(entry.name.utf8.count <= 100)
    put(entry.name, at: 0)
    octal(entry.isFolder ? 0o755 : 0o644, at: 100, width: 8)
    octal(0, at: 108, width: 8)
    octal(0, at: 116, width: 8)
    if entry.declared < 0o77777777777 {
      octal(entry.declared, at: 124, width: 12)
    } else {
      // base-256: a leading 0x80, then the value big-endian in the remaining 11 bytes
      block[124] = 0x80
      var value = entry.declared
      for index in stride(from: 135, through: 125, by: -1) {
        block[index] = UInt8(value & 0xFF)
        value >>= 8
      }
    }
    octal(1_700_000_000, at: 136, width: 12)
    block[156] = entry.isFolder ? UInt8(ascii: "5") : UInt8(ascii: "0")
    put("ustar\0", at: 257)
    put("00", at: 263)
    for index in 148..<156 { block[index] = 0x20 }
    let sum = block.reduce(0) { $0 + Int($1) }
    octal(Int64(sum), at: 148, width: 7)
    block[155] = 0x20
    return Data(block)
  }
}
