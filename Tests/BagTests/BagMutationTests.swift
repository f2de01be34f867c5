import Bag
import Foundation
import TestSupport
import Testing

/// Randomised damage to valid bag archives: bit flips, truncation, edited compression headers and
/// edited tar headers. Whatever the damage, the reader must not crash, must either verify a bag
/// whose content is exactly the original or throw a `BagError`, and must leave nothing behind.
///
/// The regular suite runs about 3,200 cases; `PLEURA_FUZZ_CASES=N` runs N in total instead.
@Suite struct BagMutationTests {
  enum Container: String, CaseIterable, Sendable { case zstd, gzip, tar }
  enum Mutation: String, CaseIterable, Sendable { case bitFlips, truncation, leadingBytes, headerBytes }

  static let casesPerCombination: Int = {
    let total = ProcessInfo.processInfo.environment["PLEURA_FUZZ_CASES"].flatMap(Int.init) ?? 3200
    return max(1, total / (Container.allCases.count * Mutation.allCases.count))
  }()

  /// A tiny but complete bag: a few payload files in two folders, written in each container.
  static func original(_ container: Container, in scratch: Scratch) throws -> Data {
    let archive = scratch.url.appending(path: "original.\(container.rawValue)")
    let files: [(String, Data)] = [
      ("catalog/videos.json", Data(#"[{"id":"video_0123","name":"x'; DROP TABLE video;--"}]"#.utf8)),
      ("objects/ab/abcdef.npy", Data((0..<300).map { UInt8(truncatingIfNeeded: $0 &* 37) })),
      ("ro-crate-metadata.json", Data(#"{"@graph":[]}"#.utf8)),
    ]
    switch container {
    case .zstd, .gzip:
      let writer = try BagWriter(
        creating: archive, bagName: "bag", compression: container == .zstd ? .zstd() : .gzip(),
        date: Date(timeIntervalSince1970: 1_700_000_000))
      for (path, data) in files { try writer.addData(data, as: path) }
      var info = BagInfo()
      info.append("Source-Organization", "Site A")
      try writer.finish(info: info)
    case .tar:
      RawArchive.write(RawArchive.bag(files), to: archive, filter: .none)
    }
    return try Data(contentsOf: archive)
  }

  static func mutate(_ bytes: Data, _ mutation: Mutation, _ random: inout SeededBytes) -> Data {
    var out = [UInt8](bytes)
    switch mutation {
    case .bitFlips:
      for _ in 0...random.below(3) {
        let bit = random.below(out.count * 8)
        out[bit / 8] ^= UInt8(1 << (bit % 8))
      }
    case .truncation:
      out.removeLast(1 + random.below(out.count))
    case .leadingBytes:
      // The compression frame header (or the first tar header) and the start of its content.
      for _ in 0...random.below(2) {
        out[random.below(min(64, out.count))] = UInt8(truncatingIfNeeded: random.next())
      }
    case .headerBytes:
      // A byte inside some 512-byte block's first 156 bytes: a tar name, mode, size or checksum
      // when the container is tar, compressed data otherwise.
      let block = random.below(max(1, out.count / 512))
      let index = min(out.count - 1, block * 512 + random.below(156))
      out[index] = UInt8(truncatingIfNeeded: random.next())
    }
    return Data(out)
  }

  static var combinations: [(Container, Mutation)] {
    Container.allCases.flatMap { c in Mutation.allCases.map { (c, $0) } }
  }

  @Test(arguments: combinations)
  func damagedArchiveVerifiesUnchangedOrIsRefused(container: Container, mutation: Mutation) throws {
    let scratch = Scratch()
    let staging = scratch.folder("staging")
    let original = try Self.original(container, in: scratch)
    let reference = try BagReader(stagingParent: staging)
      .verify(archive: scratch.url.appending(path: "original.\(container.rawValue)"))
    let archive = scratch.url.appending(path: "mutated")
    var refused = 0
    var reasons: [String: Int] = [:]
    for index in 0..<Self.casesPerCombination {
      let seed =
        UInt64(index + 1) &* 0x9E37_79B9 &+ UInt64(Container.allCases.firstIndex(of: container)! << 40)
      var random = SeededBytes(seed: seed)
      let mutated = Self.mutate(original, mutation, &random)
      mutated.writeUnsynced(to: archive)
      do {
        let result = try BagReader(stagingParent: staging).verify(archive: archive)
        #expect(
          result.payload == reference.payload, "case \(index) seed \(seed) verified with changed payload")
        #expect(result.info == reference.info, "case \(index) seed \(seed) verified with changed bag-info")
      } catch {
        refused += 1
        reasons[caseName(error), default: 0] += 1
      }
      let left = scratch.contents(of: staging)
      #expect(left.isEmpty, "case \(index) seed \(seed) left \(left)")
      if !left.isEmpty { break }
    }
    let summary = reasons.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    print(
      "mutation \(container) \(mutation): \(Self.casesPerCombination) cases, \(refused) refused (\(summary))")
    // Most damage must be noticed; a few flips land in padding and change nothing.
    #expect(refused > Self.casesPerCombination / 2)
  }
}
