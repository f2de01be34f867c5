import Bag
import Foundation
import TestSupport
import Testing

/// Archives crafted to escape staging or to smuggle links and devices in: each is refused with a
/// typed error naming the entry, staging is gone afterwards, and nothing appears outside it.
@Suite struct HostileBagTests {
  struct Case: Sendable, CustomTestStringConvertible {
    let label: String
    let entries: @Sendable (_ outside: String) -> [RawArchive.Entry]
    /// The `BagError` case expected, and a fragment its message must contain.
    let error: String
    let mentions: String
    var testDescription: String { label }
  }

  static let payload = [("a.txt", Data("alpha".utf8))]

  /// A valid bag with `extra` inserted right after the data/ folder entry.
  static func bag(with extra: [RawArchive.Entry]) -> [RawArchive.Entry] {
    var entries = RawArchive.bag(payload)
    entries.insert(contentsOf: extra, at: 2)
    return entries
  }

  static let cases: [Case] = [
    Case(
      label: "absolute path", entries: { bag(with: [.init("\($0)/abs.txt", text: "x")]) },
      error: "unsafeEntryName", mentions: "absolute"),
    Case(
      label: "parent component at top", entries: { _ in bag(with: [.init("../escape.txt", text: "x")]) },
      error: "unsafeEntryName", mentions: "'..'"),
    Case(
      label: "parent components inside the bag",
      entries: { _ in bag(with: [.init("bag/data/../../escape.txt", text: "x")]) },
      error: "unsafeEntryName", mentions: "bag/data/../../escape.txt"),
    Case(
      label: "backslashes", entries: { _ in bag(with: [.init("bag/data/..\\..\\escape.txt", text: "x")]) },
      error: "unsafeEntryName", mentions: "backslash"),
    Case(
      label: "empty component", entries: { _ in bag(with: [.init("bag//data/x.txt", text: "x")]) },
      error: "unsafeEntryName", mentions: "empty component"),
    Case(
      label: "dot component", entries: { _ in bag(with: [.init("bag/./data/x.txt", text: "x")]) },
      error: "unsafeEntryName", mentions: "'.'"),
    Case(
      label: "control character", entries: { _ in bag(with: [.init("bag/data/a\u{1B}[2Jb", text: "x")]) },
      error: "unsafeEntryName", mentions: "control character"),
    Case(
      label: "newline", entries: { _ in bag(with: [.init("bag/data/a\nb", text: "x")]) },
      error: "unsafeEntryName", mentions: "control character"),
    Case(
      label: "dot leaders normalising to ..",
      entries: { _ in bag(with: [.init("bag/data/\u{2024}\u{2024}/x.txt", text: "x")]) },
      error: "unsafeEntryName", mentions: "Unicode normalisation"),
    Case(
      label: "invalid UTF-8",
      entries: { _ in
        var e = RawArchive.Entry("", text: "x")
        e.rawName = Array("bag/data/bad-".utf8) + [0xFF, 0xFE]
        return bag(with: [e])
      }, error: "unsafeEntryName", mentions: "UTF-8"),
    Case(
      label: "file at archive root",
      entries: { _ in [.init("bagit.txt", text: "x")] + RawArchive.bag(payload) },
      error: "unsafeEntryName", mentions: "top-level entry must be a folder"),
    Case(
      label: "second top-level folder", entries: { _ in bag(with: [.init("other/x.txt", text: "x")]) },
      error: "unsafeEntryName", mentions: "outside the bag folder"),
    Case(
      label: "symlink", entries: { _ in bag(with: [.init("bag/data/link", .symlink("/etc"))]) },
      error: "unsupportedEntryType", mentions: "symbolic link to '/etc'"),
    Case(
      label: "symlink then a file through it",
      entries: { _ in
        bag(with: [.init("bag/data/link", .symlink("../../..")), .init("bag/data/link/x.txt", text: "x")])
      }, error: "unsupportedEntryType", mentions: "symbolic link"),
    Case(
      label: "hard link", entries: { _ in bag(with: [.init("bag/data/h", .hardlink("/etc/passwd"))]) },
      error: "unsupportedEntryType", mentions: "hard link to '/etc/passwd'"),
    Case(
      label: "character device", entries: { _ in bag(with: [.init("bag/data/null", .charDevice)]) },
      error: "unsupportedEntryType", mentions: "character device"),
    Case(
      label: "block device", entries: { _ in bag(with: [.init("bag/data/sda", .blockDevice)]) },
      error: "unsupportedEntryType", mentions: "block device"),
    Case(
      label: "FIFO", entries: { _ in bag(with: [.init("bag/data/pipe", .fifo)]) },
      error: "unsupportedEntryType", mentions: "FIFO"),
    Case(
      label: "duplicate file", entries: { _ in bag(with: [.init("bag/data/a.txt", text: "evil")]) },
      error: "duplicateEntry", mentions: "bag/data/a.txt"),
    Case(
      label: "file where a folder is",
      entries: { _ in
        bag(with: [.init("bag/data/f", text: "x"), .init("bag/data/f/g", text: "y")])
      }, error: "duplicateEntry", mentions: "bag/data/f/g"),
    Case(
      label: "folder where a file is",
      entries: { _ in
        bag(with: [.init("bag/data/f", text: "x"), .init("bag/data/f/", .folder)])
      }, error: "duplicateEntry", mentions: "bag/data/f"),
    Case(
      label: "canonically equivalent names",
      entries: { _ in
        bag(with: [.init("bag/data/caf\u{E9}", text: "x"), .init("bag/data/cafe\u{301}", text: "y")])
      }, error: "duplicateEntry", mentions: "caf"),
  ]

  @Test(arguments: cases, [RawArchive.Filter.zstd, .gzip])
  func hostileEntryIsRefused(_ hostile: Case, filter: RawArchive.Filter) throws {
    let scratch = Scratch()
    let staging = scratch.folder("staging")
    let outside = scratch.folder("outside")
    let archive = scratch.url.appending(path: "hostile.tar")
    RawArchive.write(hostile.entries(outside.path), to: archive, filter: filter)

    let error = try #require(throws: BagError.self) {
      try BagReader(stagingParent: staging).extract(archive: archive)
    }
    #expect(caseName(error) == hostile.error, "\(error)")
    #expect(error.description.contains(hostile.mentions), "\(error)")
    #expect(scratch.contents(of: staging).isEmpty)
    #expect(scratch.contents(of: outside).isEmpty)
    #expect(scratch.contents(of: scratch.url).sorted() == ["hostile.tar", "outside", "staging"])
  }

  @Test func messagesShowControlCharactersEscaped() {
    let error = BagError.unsafeEntryName(entry: "a\u{1B}[2Jb", reason: "it contains a control character")
    #expect(error.description.contains("a\\u{1b}[2Jb"))
    #expect(!error.description.contains("\u{1B}"))
  }
}

extension HostileBagTests {
  @Test func aHugeEntryNameIsRefusedWithAShortMessage() throws {
    // Found by ImportMutationTests: a tar type flag edited to GNU long-name made a 12 KB JSON
    // file the next entry's name, and the whole of it became one line of the refusal.
    let scratch = Scratch()
    let staging = scratch.folder("staging")
    let archive = scratch.url.appending(path: "long.tar")
    let name = "bag/data/" + String(repeating: "n", count: 12_000)
    RawArchive.write(Self.bag(with: [.init(name, text: "x")]), to: archive, filter: .zstd)
    let error = try #require(throws: BagError.self) {
      try BagReader(stagingParent: staging).extract(archive: archive)
    }
    #expect(error.description.contains("longer than 1024 bytes"), "\(error)")
    #expect(error.description.contains("more characters"), "\(error)")
    #expect(error.description.count < 400, "\(error.description.count) characters")
    #expect(scratch.contents(of: staging).isEmpty)
  }

  @Test func tagFileTextIsQuotedEscapedAndShort() throws {
    // Found by ImportMutationTests: a tar size field edited (checksum fixed) let the manifest run
    // into the next header's NUL bytes, and the refusal quoted that "checksum" raw.
    let scratch = Scratch()
    let garbage = "\u{0}\u{1B}[2J" + String(repeating: "\u{0}", count: 500)
    let bags = [
      RawArchive.bag(Self.payload, manifest: "\(garbage)  data/a.txt\n"),
      RawArchive.bag(Self.payload).map { entry in
        guard entry.name.hasSuffix("/bagit.txt") else { return entry }
        return .init(entry.name, text: "BagIt-Version: \(garbage)\nTag-File-Character-Encoding: UTF-8\n")
      },
    ]
    for (index, entries) in bags.enumerated() {
      let archive = scratch.url.appending(path: "tag-\(index).tar")
      RawArchive.write(entries, to: archive, filter: .zstd)
      let error = try #require(throws: BagError.self) {
        try BagReader(stagingParent: scratch.folder("staging-\(index)")).extract(archive: archive)
      }
      let message = error.description
      #expect(!message.unicodeScalars.contains { $0.value < 0x20 }, "\(message.debugDescription)")
      #expect(
        message.contains("\\u{1b}[2J") && message.count < 400, "\(message.count): \(message.prefix(300))")
    }
  }
}

/// The name of an error's enum case, e.g. "duplicateEntry".
func caseName(_ error: BagError) -> String {
  Mirror(reflecting: error).children.first?.label ?? "\(error)"
}
