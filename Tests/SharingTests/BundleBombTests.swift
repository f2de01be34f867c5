import Bag
import Foundation
import Platform
import Sharing
import Testing

/// Decompression bombs and oversized entries in bundles (issue 12, item 6): each entry is judged
/// from its header, before a byte of it is written. Every archive here claims gigabytes in a
/// few kilobytes and stops short of them: a reader that started writing would run into the end
/// of the archive and call it damaged; one that refuses first names the entry and why.
@Suite(.serialized) struct BundleBombTests {
  static let tenGiB: Int64 = 10 << 30
  static let sha = String(repeating: "ab", count: 32)

  static func refusal(_ entries: [TarWithClaims.Entry], _ b: SiteB) throws -> String {
    let archive = b.file("claims.tar")
    try TarWithClaims.write(entries, to: archive)
    let before = try b.snapshot()
    var message = ""
    #expect(throws: BagError.self) {
      do { _ = try BundleImporter(catalog: b.catalog).importBundle(archive) } catch {
        message = String(describing: error)
        throw error
      }
    }
    #expect(try b.snapshot() == before, "the catalog or its object store changed")
    return message
  }

  static let start: [TarWithClaims.Entry] = [.folder("bag/"), .folder("bag/data/")]

  @Test func aBlobBeforeTheBlobListIsRefusedFromItsHeader() throws {
    let b = try SiteB()
    defer { b.cleanUp() }
    let message = try Self.refusal(Self.start + [.claiming("bag/data/blobs/\(Self.sha)", Self.tenGiB)], b)
    #expect(message.contains("comes before data/catalog/blob.json"), "\(message)")
  }

  @Test func aBlobLargerThanTheBlobListSaysIsRefusedFromItsHeader() throws {
    let b = try SiteB()
    defer { b.cleanUp() }
    let list =
      #"[{"sha256": "\#(Self.sha)", "size": 10, "stored": true, "createdAt": "2026-01-01T00:00:00.000Z"}]"#
    let message = try Self.refusal(
      Self.start + [
        .file("bag/data/catalog/blob.json", Data(list.utf8)),
        .claiming("bag/data/blobs/\(Self.sha)", Self.tenGiB),
      ], b)
    #expect(message.contains("declares \(Self.tenGiB) bytes; data/catalog/blob.json lists 10"), "\(message)")
  }

  @Test func anOversizedCatalogFileIsRefusedFromItsHeader() throws {
    let b = try SiteB()
    defer { b.cleanUp() }
    let message = try Self.refusal(Self.start + [.claiming("bag/data/catalog/cube.json", Self.tenGiB)], b)
    #expect(message.contains("a catalog file may have at most 1 GiB"), "\(message)")
  }

  @Test func anOversizedTagFileIsRefusedFromItsHeader() throws {
    let b = try SiteB()
    defer { b.cleanUp() }
    let message = try Self.refusal([.folder("bag/"), .claiming("bag/bag-info.txt", Self.tenGiB)], b)
    #expect(message.contains("bag-info.txt") && message.contains("limit of 1048576 bytes"), "\(message)")
  }

  @Test func anEntryNoBundleHoldsIsRefusedFromItsHeader() throws {
    let b = try SiteB()
    defer { b.cleanUp() }
    for name in ["bag/data/evil.bin", "bag/data/catalog/extra.json"] {
      let message = try Self.refusal(Self.start + [.claiming(name, Self.tenGiB)], b)
      #expect(message.contains("is refused before extraction"), "\(message)")
    }
  }

  @Test func aBundleNeedingMoreSpaceThanTheDiskHasIsRefusedBeforeItsFirstBlob() throws {
    // The blob list declares more than any disk holds; the first blob's header is where the space
    // the whole list needs is checked, before a byte of any blob is written.
    let b = try SiteB()
    defer { b.cleanUp() }
    let huge: Int64 = 1 << 60
    let other = String(repeating: "cd", count: 32)
    let list = """
      [{"sha256": "\(Self.sha)", "size": 512, "stored": true, "createdAt": "2026-01-01T00:00:00.000Z"},
       {"sha256": "\(other)", "size": \(huge), "stored": true, "createdAt": "2026-01-01T00:00:00.000Z"}]
      """
    let message = try Self.refusal(
      Self.start + [
        .file("bag/data/catalog/blob.json", Data(list.utf8)),
        .file("bag/data/blobs/\(Self.sha)", Data(count: 512)),
        .claiming("bag/data/blobs/\(other)", huge),
      ], b)
    #expect(message.contains("needs \(huge + 512) bytes, but the device holding"), "\(message)")
  }
}
