import Bag
import Foundation
import GRDB
import Platform
import Primitives
import Sharing
import TestSupport
import Testing

/// Randomised damage to a real bundle from site A, driven through the whole import: the archive
/// layer, reading the rows, the row checks, the plan against the catalog, moving the blobs in and
/// the one transaction. Raw families damage the archive's bytes; the others edit the unpacked bag
/// and re-sign it, because damage under intact checksums is what reaches the later stages.
///
/// Every case must end in one of two ways. Refused: one short line (no control characters, and
/// not a raw database error, whose text names no file or row), the catalog's rows and object
/// store exactly as before, no staging left. Imported (some edits are harmless, or plausible
/// data): the catalog passes `pleura verify`, `gc` finds nothing in the store the catalog does
/// not know, a no-op import (the dataset already here) changed nothing, and the dataset's next
/// version, untouched, still imports or is refused cleanly (a mutated import must not poison
/// the honest ones after it). Each family prints how far its cases got.
///
/// The regular suite runs about 2,400 cases; `PLEURA_MUTATION_CASES=N` runs N in total instead,
/// `PLEURA_MUTATION_SEED` picks other cases, `PLEURA_MUTATION_TRACE=1` prints each case before it
/// runs (to name the one that crashed the process).
@Suite(.tags(.slow)) struct ImportMutationTests {
  static let environment = ProcessInfo.processInfo.environment
  static let totalCases = environment["PLEURA_MUTATION_CASES"].flatMap { Int($0) } ?? 2400
  static let baseSeed = environment["PLEURA_MUTATION_SEED"].flatMap { UInt64($0) } ?? 7
  static let trace = environment["PLEURA_MUTATION_TRACE"] == "1"

  static func cases(for family: MutationFamily) -> Int {
    let total = MutationFamily.allCases.reduce(0) { $0 + $1.weight }
    return max(1, totalCases * family.weight / total)
  }

  /// Where a case ended: the stage that refused it, or the import.
  enum Stage: String, CaseIterable, Sendable {
    case archive, read, validate, plan, transaction, imported, alreadyImported
  }

  static func stage(of error: any Error) -> Stage {
    switch error {
    case is BagError: .archive
    case let error as ImportError:
      switch error {
      case .notAPleuraBundle, .newerSchema, .tooLarge, .malformed: .read
      case .badRow, .missingReference: .validate
      case .conflict: .plan
      }
    default: .transaction
    }
  }

  /// What is wrong with a refusal's message, if anything: a person reads it on a terminal.
  static func problem(with error: any Error) -> String? {
    let message = String(describing: error)
    if message.isEmpty { return "the message is empty" }
    if message.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
      return "the message has a line break or control character"
    }
    if message.count > 600 { return "the message is \(message.count) characters long" }
    if error is DatabaseError || error is RowDecodingError {
      // The row checks let through a row the schema refuses; SQLite's words name no file or row.
      return "a database error reached the caller"
    }
    return nil
  }

  /// Where the cases' archives and site-B catalogs go: memory when the system has a tmpfs.
  /// `BagWriter` fsyncs every archive, the blob store and SQLite fsync every import and every new
  /// catalog; thousands of throwaway fsyncs would otherwise dominate the run.
  static let scratchParent: URL = {
    let shm = URL(fileURLWithPath: "/dev/shm")
    return FileManager.default.isWritableFile(atPath: shm.path) ? shm : FileManager.default.temporaryDirectory
  }()

  static func scratchFolder() -> URL {
    let folder = scratchParent.appendingPathComponent("pleura-mutation-cases-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
  }

  /// Which catalog a case imports into.
  enum Target: Hashable { case empty, holdingOriginal }

  /// Site-B catalogs, one per target, replaced only when an import changed one. A refused case
  /// must leave its catalog as it was (which each case checks), so the next case reuses it.
  final class Sites {
    let bundle: MutationFixture.Bundle
    /// The cases' archives.
    let scratch = ImportMutationTests.scratchFolder()
    var current: [Target: (site: SiteB, snapshot: [String])] = [:]
    private var next: URL?
    private var resigned: URL?

    init(_ bundle: MutationFixture.Bundle) { self.bundle = bundle }

    /// The trimmed bundle re-signed untouched: what a catalog holding "the original" imported
    /// (made once). A dataset never changes, so the untrimmed export would conflict with it.
    func untouched() throws -> URL {
      if let resigned { return resigned }
      let url = scratch.appendingPathComponent("untouched.tar.zst")
      try EditableBag(bundle).write(to: url)
      resigned = url
      return url
    }

    /// The dataset's next version, untouched and signed (made once).
    func nextVersion() throws -> URL {
      if let next { return next }
      var mutator = BundleMutator(seed: 1, bundle: bundle)
      var bag = try EditableBag(bundle)
      bag.becomeNextVersion(&mutator)
      let url = scratch.appendingPathComponent("next-version.tar.zst")
      try bag.write(to: url)
      next = url
      return url
    }

    func site(_ target: Target) throws -> (site: SiteB, snapshot: [String]) {
      if let site = current[target] { return site }
      let b = try SiteB(in: ImportMutationTests.scratchParent)
      if target == .holdingOriginal {
        _ = try BundleImporter(catalog: b.catalog).importBundle(try untouched())
      }
      current[target] = (b, try b.snapshot())
      return current[target]!
    }

    func discard(_ target: Target) {
      current.removeValue(forKey: target)?.site.cleanUp()
    }

    deinit {
      for site in current.values { site.site.cleanUp() }
      try? FileManager.default.removeItem(at: scratch)
    }
  }

  /// Imports `archive` into `b` and checks how it ended; returns the stage and whether a check
  /// failed. `before` is `b`'s snapshot.
  static func importAndCheck(
    _ archive: URL, into b: SiteB, before: [String], _ label: String
  ) throws -> (Stage, failed: Bool) {
    let stage: Stage
    var failed = false
    switch Result(catching: { try BundleImporter(catalog: b.catalog).importBundle(archive) }) {
    case .success(let outcome) where outcome.alreadyImported:
      stage = .alreadyImported
      if try b.snapshot() != before {
        Issue.record("\(label): a no-op import changed the catalog")
        failed = true
      }
    case .success:
      stage = .imported
      let report = try CatalogVerifier.run(b.catalog)
      // Nothing in the store that the catalog does not know of, either.
      let gc = try GarbageCollector.run(b.catalog, dryRun: true)
      let strays = gc.unreferencedBlobs + gc.strayFiles + gc.stagingFiles
      if !report.ok || !strays.isEmpty {
        Issue.record(
          "\(label): imported, then verify found \(report.problems.prefix(3)) and gc \(strays.prefix(3))")
        failed = true
      }
    case .failure(let error):
      stage = Self.stage(of: error)
      if let problem = Self.problem(with: error) {
        Issue.record("\(label): \(problem): \(String(describing: error).prefix(300).debugDescription)")
        failed = true
      }
      let after = try b.snapshot()
      if after != before {
        let gained = Array(Set(after).subtracting(before).sorted().prefix(4))
        let lost = Array(Set(before).subtracting(after).sorted().prefix(4))
        Issue.record("\(label): refused with '\(error)' but the catalog changed: +\(gained) -\(lost)")
        failed = true
      }
    }
    let staging = b.catalog.root.appendingPathComponent("objects/staging")
    let left = (try? FileManager.default.contentsOfDirectory(atPath: staging.path)) ?? []
    if !left.isEmpty {
      Issue.record("\(label): left \(left) in staging")
      failed = true
    }
    return (stage, failed || stage == .transaction)
  }

  @Test func anUntouchedResignedBundleImports() async throws {
    // The re-signing itself must be faithful, or every semantic case would be refused for it.
    let bundle = try await MutationFixture.shared.bundle()
    let sites = Sites(bundle)
    let (b, _) = try sites.site(.empty)
    let archive = b.file("resigned.tar.zst")
    try EditableBag(bundle).write(to: archive)
    let outcome = try BundleImporter(catalog: b.catalog).importBundle(archive)
    #expect(!outcome.alreadyImported && outcome.rows > 0)
    #expect(try CatalogVerifier.run(b.catalog).ok)
    let (holding, before) = try sites.site(.holdingOriginal)
    #expect(try BundleImporter(catalog: holding.catalog).importBundle(archive).alreadyImported)
    #expect(try holding.snapshot() == before)
    // The next version of the dataset, from the same sources, adds only the dataset's own rows.
    let added = try BundleImporter(catalog: holding.catalog).importBundle(try sites.nextVersion())
    #expect(!added.alreadyImported && added.dataset == "demo@2")
    #expect(try CatalogVerifier.run(holding.catalog).ok)
  }

  @Test(arguments: MutationFamily.allCases)
  func aMutatedBundleIsRefusedCleanlyOrImportsConsistently(family: MutationFamily) async throws {
    let bundle = try await MutationFixture.shared.bundle()
    let sites = Sites(bundle)
    let scratch = sites.scratch
    let familyIndex = UInt64(MutationFamily.allCases.firstIndex(of: family)!)
    var tally: [String: [Stage: Int]] = [:]
    var followUps: [Stage: Int] = [:]
    var failures = 0
    let clock = ContinuousClock()
    let started = clock.now
    for index in 0..<Self.cases(for: family) {
      let seed = SeededGenerator.derive(Self.baseSeed, familyIndex << 32 | UInt64(index))
      var mutator = BundleMutator(seed: seed, bundle: bundle)
      // About a third of the re-signed cases meet a catalog that already holds the original, so
      // the plan's no-op and conflict paths are reached too.
      let target: Target = !family.isRaw && mutator.chance(0.3) ? .holdingOriginal : .empty
      let (b, before) = try sites.site(target)
      let archive = scratch.appendingPathComponent("case.tar.zst")
      try? FileManager.default.removeItem(at: archive)
      var edits: [String] = []
      var setting = "\(target)"
      if family.isRaw {
        let (bytes, edit) = family == .compressedBytes ? mutator.compressedBytes() : mutator.tarHeader()
        try bytes.write(to: archive)
        edits.append(edit)
      } else {
        var bag = try EditableBag(bundle)
        // Most cases against a catalog holding the original carry the dataset's next version,
        // so that their rows meet the rows already there; the rest are the same dataset again.
        if target == .holdingOriginal && mutator.chance(0.8) {
          bag.becomeNextVersion(&mutator)
          setting += ", next version"
        }
        let count = [.rowFields, .references].contains(family) && mutator.chance(0.3) ? 2 : 1
        for _ in 0..<count { edits.append(mutator.edit(family, &bag)) }
        try bag.write(to: archive)
      }
      let label = "\(family) case \(index) (seed \(seed), \(setting)): \(edits.joined(separator: "; "))"
      if Self.trace { print("TRACE \(label)") }

      var (stage, failed) = try Self.importAndCheck(archive, into: b, before: before, label)
      if stage == .imported && target == .empty {
        // What a mutated import leaves behind must not poison the next honest bundle: the
        // dataset's next version from the same sources, untouched, must import or be refused
        // cleanly (a mutated row it shares is a fair conflict), and leave a catalog that verifies.
        let (next, nextFailed) = try Self.importAndCheck(
          try sites.nextVersion(), into: b, before: try b.snapshot(), label + "; then the next version")
        followUps[next, default: 0] += 1
        failed = failed || nextFailed
      }
      // The import changed this catalog (or failed to leave it as it was): the next case gets a new one.
      if stage == .imported || failed { sites.discard(target) }
      let key =
        edits.count == 1
        ? String(edits[0].prefix { $0 != "(" }).trimmingCharacters(in: .whitespaces) : "several edits"
      tally[key, default: [:]][stage, default: 0] += 1
      if failed { failures += 1 }
      // Stop a family early once it clearly fails, rather than repeat one finding thousands of times.
      if failures > 20 { break }
    }
    let seconds =
      Double((clock.now - started).components.attoseconds) / 1e18
      + Double((clock.now - started).components.seconds)
    var totals: [Stage: Int] = [:]
    for stages in tally.values { totals.merge(stages, uniquingKeysWith: +) }
    func line(_ counts: [Stage: Int]) -> String {
      Stage.allCases.compactMap { stage in counts[stage].map { "\(stage.rawValue) \($0)" } }.joined(
        separator: ", ")
    }
    var report = "import mutation \(family): \(totals.values.reduce(0, +)) cases in "
    report += String(format: "%.1f s", seconds) + "; " + line(totals)
    for (edit, counts) in tally.sorted(by: { $0.key < $1.key }) { report += "\n  \(edit): \(line(counts))" }
    if !followUps.isEmpty { report += "\n  then the next version: \(line(followUps))" }
    print(report)
  }
}
