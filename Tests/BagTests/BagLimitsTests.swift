import Bag
import Foundation
import Primitives
import TestSupport
import Testing

/// Decompression bombs and absurd counts: extraction stops at the bound, not after the damage.
@Suite struct BagLimitsTests {
  /// 64 MiB of zeros compress to a few kB: a small archive that would write far more than it
  /// declares.
  static let bomb = Data(count: 64 << 20)

  @Test func payloadPastPayloadOxumStopsWhenBagInfoComesFirst() throws {
    let scratch = Scratch()
    let staging = scratch.folder("staging")
    let archive = scratch.url.appending(path: "bomb.tar.zst")
    RawArchive.write(
      RawArchive.bag(
        [("small.txt", Data("tiny".utf8)), ("zeros.bin", Self.bomb)], infoFirst: true,
        info: "Payload-Oxum: 4.1\n"), to: archive)
    let archiveSize = try FileManager.default.attributesOfItem(atPath: archive.path)[.size] as? Int
    #expect((archiveSize ?? .max) < 100_000)
    let error = try #require(throws: BagError.self) {
      try BagReader(stagingParent: staging).extract(archive: archive)
    }
    // Refused at the header, before a byte of zeros.bin is written.
    #expect(error == .payloadExceedsOxum(entry: "bag/data/zeros.bin", declared: 4))
    #expect(scratch.contents(of: staging).isEmpty)
  }

  @Test func extractedBytesAreCappedWhenBagInfoComesLast() throws {
    let scratch = Scratch()
    let staging = scratch.folder("staging")
    let archive = scratch.url.appending(path: "bomb.tar.zst")
    RawArchive.write(RawArchive.bag([("zeros.bin", Self.bomb)], info: "Payload-Oxum: 4.1\n"), to: archive)
    let reader = BagReader(limits: BagLimits(maxExtractedBytes: 1 << 20), stagingParent: staging)
    let error = try #require(throws: BagError.self) { try reader.extract(archive: archive) }
    #expect(error == .extractedBytesLimitExceeded(entry: "bag/data/zeros.bin", limit: 1 << 20))
    #expect(scratch.contents(of: staging).isEmpty)
  }

  @Test func defaultLimitsStillCatchTheOxumMismatchAfterExtraction() throws {
    let scratch = Scratch()
    let staging = scratch.folder("staging")
    let archive = scratch.url.appending(path: "bomb.tar.zst")
    RawArchive.write(
      RawArchive.bag([("zeros.bin", Data(count: 1 << 20))], info: "Payload-Oxum: 4.1\n"), to: archive)
    let error = try #require(throws: BagError.self) {
      try BagReader(stagingParent: staging).extract(archive: archive)
    }
    #expect(error == .payloadOxumMismatch(declared: "4.1", actual: "1048576.1"))
    #expect(scratch.contents(of: staging).isEmpty)
  }

  @Test func absurdEntryCountsAreRefused() throws {
    let scratch = Scratch()
    let staging = scratch.folder("staging")
    let archive = scratch.url.appending(path: "many.tar.gz")
    let files = (0..<200).map { ("f\($0)", Data()) }
    RawArchive.write(RawArchive.bag(files), to: archive, filter: .gzip)
    let reader = BagReader(limits: BagLimits(maxEntries: 100), stagingParent: staging)
    #expect(throws: BagError.tooManyEntries(limit: 100)) { try reader.extract(archive: archive) }
    #expect(scratch.contents(of: staging).isEmpty)
    // The same archive passes with room for its 206 entries.
    let roomy = BagReader(limits: BagLimits(maxEntries: 206), stagingParent: staging)
    #expect(try roomy.verify(archive: archive).payload.count == 200)
  }

  @Test func oversizedTagFilesAreRefused() throws {
    let scratch = Scratch()
    let staging = scratch.folder("staging")
    let archive = scratch.url.appending(path: "tags.tar.zst")
    RawArchive.write(
      RawArchive.bag([("a", Data())]) + [.init("bag/notes.txt", .file, Data(count: 5000))], to: archive)
    let reader = BagReader(limits: BagLimits(maxTagFileBytes: 4096), stagingParent: staging)
    #expect(throws: BagError.extractedBytesLimitExceeded(entry: "bag/notes.txt", limit: 4096)) {
      try reader.extract(archive: archive)
    }
    #expect(scratch.contents(of: staging).isEmpty)
  }

  @Test func aPayloadFileTheManifestDoesNotListIsRefusedAtItsHeaderWhenTheManifestComesFirst() throws {
    let scratch = Scratch()
    let staging = scratch.folder("staging")
    let archive = scratch.url.appending(path: "unlisted.tar.zst")
    let small = Data("tiny".utf8)
    RawArchive.write(
      RawArchive.bag(
        [("small.txt", small), ("zeros.bin", Self.bomb)], infoFirst: true,
        info: "Payload-Oxum: \(4 + Self.bomb.count).2\n",
        manifest: "\(RawArchive.sha256(small))  data/small.txt\n"), to: archive)
    // A cap far below the bomb: a reader that wrote before judging would stop at the cap instead.
    let reader = BagReader(limits: BagLimits(maxExtractedBytes: 1 << 20), stagingParent: staging)
    #expect(throws: BagError.fileNotInManifest(file: "data/zeros.bin")) {
      try reader.extract(archive: archive)
    }
    #expect(scratch.contents(of: staging).isEmpty)
  }

  @Test func bagInfoSmallerThanTheBoundForManifestsIsStillBoundedAsATagFile() throws {
    let scratch = Scratch()
    let staging = scratch.folder("staging")
    let archive = scratch.url.appending(path: "big-info.tar.zst")
    let info =
      "Source-Organization: Test\nPayload-Oxum: 0.1\nNote: " + String(repeating: "x", count: 2 << 20) + "\n"
    RawArchive.write(RawArchive.bag([("a", Data())], infoFirst: true, info: info), to: archive)
    #expect(throws: BagError.extractedBytesLimitExceeded(entry: "bag/bag-info.txt", limit: 1 << 20)) {
      try BagReader(stagingParent: staging).extract(archive: archive)
    }
    #expect(scratch.contents(of: staging).isEmpty)
  }

  @Test func aDeclaredPayloadLargerThanTheFreeSpaceIsRefusedBeforeAnyOfItIsWritten() throws {
    let scratch = Scratch()
    let staging = scratch.folder("staging")
    let archive = scratch.url.appending(path: "huge-oxum.tar.zst")
    RawArchive.write(
      RawArchive.bag(
        [("zeros.bin", Self.bomb)], infoFirst: true, info: "Payload-Oxum: \(Int64(1) << 60).1\n"),
      to: archive)
    let error = try #require(throws: BagError.self) {
      try BagReader(stagingParent: staging).extract(archive: archive)
    }
    guard case .insufficientSpace(let entry, let needed, _, _) = error else {
      Issue.record("expected a refusal for space, got \(error)")
      return
    }
    #expect(entry == "bag-info.txt" && needed == 1 << 60)
    #expect(scratch.contents(of: staging).isEmpty)
  }

  @Test func anEntryThatWouldEatIntoTheReserveIsRefusedFromItsHeader() throws {
    let scratch = Scratch()
    let staging = scratch.folder("staging")
    let archive = scratch.url.appending(path: "reserve.tar.zst")
    RawArchive.write(RawArchive.bag([("zeros.bin", Self.bomb)]), to: archive)
    let free = try #require(DiskSpace.available(at: staging))
    // Keep free all but 1 MiB: the 64 MiB entry's header alone shows it does not fit.
    let reader = BagReader(limits: BagLimits(reserveFreeBytes: free - (1 << 20)), stagingParent: staging)
    let error = try #require(throws: BagError.self) { try reader.extract(archive: archive) }
    guard case .insufficientSpace(let entry, _, _, _) = error else {
      Issue.record("expected a refusal for space, got \(error)")
      return
    }
    #expect(entry == "bag/data/zeros.bin")
    #expect(scratch.contents(of: staging).isEmpty)
  }
}
