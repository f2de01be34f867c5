import Foundation
import TestSupport
import Testing

@testable import Platform

/// Pictures an external plugin makes: PNG files checked by their signature, IHDR (with its CRC)
/// and IEND, stored as blobs listed in the run's summary; anything else leaves no blob.
@Suite struct ExternalPicturesTests {
  /// The well-known 1 x 1 RGBA PNG (67 bytes).
  static let onePixel = Data(
    hex: "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
      + "1f15c4890000000a49444154789c63000100000500010d0a2db40000000049454e44ae426082")

  @Test func theChecksumIsZlibsCRC32() {
    #expect(CRC32.of(Array("123456789".utf8)) == 0xCBF4_3926)
  }

  /// The 1 x 1 PNG with its IHDR fields changed by `edit` and their CRC made right again, so
  /// that the check reaches the fields themselves.
  static func withHeader(_ edit: (inout Data) -> Void) -> Data {
    var data = onePixel
    edit(&data)
    let crc = CRC32.of(Array(data[12..<29]))
    for index in 0..<4 { data[29 + index] = UInt8(truncatingIfNeeded: crc >> (24 - 8 * UInt32(index))) }
    return data
  }

  @Test func aSoundPNGPassesAndDamagedOnesAreNamed() throws {
    let scratch = Scratch()
    func problem(_ data: Data) throws -> String? {
      let file = scratch.url.appendingPathComponent("p-\(UUID().uuidString).png")
      try data.write(to: file)
      return PicturesCheck.problem(at: file)
    }
    #expect(try problem(Self.onePixel) == nil)
    #expect(try problem(Self.withHeader { _ in }) == nil, "recomputing the CRC keeps a sound file sound")
    var crc = Self.onePixel
    crc[30] ^= 0xFF
    let cases: [(Data, String)] = [
      (Data("GIF89a".utf8) + Data(count: 60), "no PNG signature"),
      (crc, "IHDR checksum is wrong"),
      (Self.onePixel.prefix(40), "is not a PNG file"),
      (Self.onePixel.dropLast(12) + Data(count: 12), "does not end with IEND"),
      (Self.withHeader { $0[24] = 3 }, "colour type 6 with bit depth 3 is not PNG"),
      (Self.withHeader { $0[16] = 0x7F }, "each side must be 1 to 16384"),
      (Self.withHeader { $0[19] = 0 }, "is 0 x 1 pixels"),
      (Data(), "no PNG signature"),
    ]
    for (data, reason) in cases {
      let found = try problem(data) ?? "nil"
      #expect(found.contains(reason), "\(reason): \(found)")
    }
  }

  @Test func picturesAreStoredAndListedInTheRunsSummary() async throws {
    let test = try TestCatalog()
    defer { test.cleanUp() }
    let result =
      #"{"result": {"summary": "two pictures", "outputs": [{"key": "p", "kind": "pictures", "files": {"a.png": "a.png", "b.png": "b.png"}, "metadata": {}}]}}"#
    let plugin = try ExternalRunFailureTests.plugin(
      "cat >/dev/null\ncp \"$HERE/one.png\" a.png\ncp \"$HERE/one.png\" b.png\necho '\(result)'",
      outputs: ["pictures"], files: ["one.png": Self.onePixel], in: test.folder)
    let outcome = try await test.runner.run(external: plugin, parameters: [:])
    #expect(outcome.outputs.isEmpty)
    let sha = SHA256Hex.digest(Self.onePixel)
    #expect(outcome.summary == "two pictures\na.png \(sha)\nb.png \(sha)", "\(outcome.summary)")
    #expect(test.catalog.blobs.contains(sha))
    let registered = try await test.catalog.database.read { db in try BlobRecord.fetchOne(db, key: sha) }
    #expect(registered != nil)
  }

  @Test(arguments: [
    (#"{"a.png": "a.png"}"#, #"{"caption": "x"}"#, "pictures take no metadata"),
    (#"{"a.gif": "a.png"}"#, "{}", "must be a word ending in .png"),
    (#"{"a.png": "bad.png"}"#, "{}", "is not a PNG file"),
  ])
  func badPicturesLeaveNoBlob(files: String, metadata: String, reason: String) async throws {
    let test = try TestCatalog()
    defer { test.cleanUp() }
    let result =
      #"{"result": {"outputs": [{"key": "p", "kind": "pictures", "files": \#(files), "metadata": \#(metadata)}]}}"#
    let plugin = try ExternalRunFailureTests.plugin(
      "cat >/dev/null\ncp \"$HERE/one.png\" a.png\necho 'not a picture' > bad.png\necho '\(result)'",
      outputs: ["pictures"], files: ["one.png": Self.onePixel], in: test.folder)
    let (message, _) = try await ExternalRunFailureTests.failure(of: plugin, in: test)
    #expect(message.contains(reason), "\(message)")
  }

  @Test func aKindNoFamilyCheckedIsRefused() async throws {
    let test = try TestCatalog()
    defer { test.cleanUp() }
    let result =
      #"{"result": {"outputs": [{"key": "d", "kind": "dataset", "files": {}, "metadata": {}}]}}"#
    let plugin = try ExternalRunFailureTests.plugin(
      "cat >/dev/null\necho '\(result)'", outputs: ["dataset"], in: test.folder)
    let (message, _) = try await ExternalRunFailureTests.failure(of: plugin, in: test)
    #expect(message.contains("no check for a dataset output"), "\(message)")
  }
}

extension Data {
  fileprivate init(hex: String) {
    var bytes: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex {
      let next = hex.index(index, offsetBy: 2)
      bytes.append(UInt8(hex[index..<next], radix: 16) ?? 0)
      index = next
    }
    self.init(bytes)
  }
}
