import Foundation
import Platform
import Primitives
import TestSupport

/// Runs one damaged-blob case on a private copy of the pipeline catalog and lists what went
/// wrong (nothing, when the command refused the damaged bytes as it must).
enum DamagedBlobHarness {
  static var randomCases: Int {
    Int(ProcessInfo.processInfo.environment["PLEURA_INTEGRITY_CASES"] ?? "") ?? 0
  }
  static var randomSeed: UInt64 {
    UInt64(ProcessInfo.processInfo.environment["PLEURA_INTEGRITY_SEED"] ?? "") ?? 12
  }

  static func run(_ readCase: BlobReadCase, _ damage: BlobDamage, generator: inout SeededGenerator)
    async throws -> [String]
  {
    let (cli, made) = try await PipelineCatalog.shared.copy()
    defer { cli.cleanUp() }
    let out = cli.folder.appendingPathComponent("out")
    try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
    let rowsBefore = try entityRows(cli.catalog)
    let filesBefore = try objectFiles(cli.catalog)
    let targets = readCase.blobs(made)
    // Read every replacement first: a rotation replaces blobs with each other's original bytes.
    let damagedBlobs = targets.map(\.damaged)
    var originals: [String: Data] = [:]
    for (_, other) in targets where !other.isEmpty {
      originals[other] = try Data(contentsOf: BlobDamage.path(of: other, in: cli.catalog))
    }
    for (blob, other) in targets {
      try damage.apply(to: blob, other: other, in: cli.catalog, originals: originals, generator: &generator)
    }

    let arguments = readCase.arguments(made, out)
    let result = try cli.run(arguments)
    var problems: [String] = []
    let said = result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
    if result.status != 1 {
      problems.append("exit \(result.status), expected 1 (stdout: \(result.stdout.suffix(300))) \(said)")
    }
    if !damagedBlobs.contains(where: { said.contains($0) }) {
      problems.append("the message names no damaged blob: \(said)")
    }
    if !said.contains(readCase.entity(made)) {
      problems.append("the message does not name \(readCase.entity(made)): \(said)")
    }
    if !said.contains("is damaged") && !said.contains("no longer matches its checksum") {
      problems.append("the message does not say the blob is damaged: \(said)")
    }
    let written = try regularFiles(under: out)
    if !written.isEmpty { problems.append("output files were written: \(written)") }
    if try entityRows(cli.catalog) != rowsBefore { problems.append("catalog rows changed") }
    let filesAfter = try objectFiles(cli.catalog)
    for (name, size) in filesBefore where !damagedBlobs.contains(name) && filesAfter[name] != size {
      problems.append("blob \(name) was lost or changed")
    }
    let verify = try cli.run(["verify"])
    // Problems are `error:` lines (stderr also carries verify's progress).
    let unexplained = verify.stderr.split(separator: "\n").filter { line in
      line.hasPrefix("error:") && !damagedBlobs.contains { line.contains($0) }
    }
    if verify.status != 1 || !unexplained.isEmpty {
      problems.append("verify afterwards: exit \(verify.status), unexplained: \(unexplained)")
    }
    return problems.map { "pleura \(arguments.joined(separator: " ")): \($0)" }
  }

  struct Report: Codable {
    var seed: UInt64
    var cases: Int
    var failures: [String]
    /// Cases per "command / damage".
    var tally: [String: Int]
  }

  /// `cases` random cases from `seed`; writes the report to `PLEURA_INTEGRITY_REPORT` when set.
  static func randomised(cases: Int, seed: UInt64) async throws -> Report {
    var report = Report(seed: seed, cases: cases, failures: [], tally: [:])
    for index in 0..<cases {
      var generator = SeededGenerator(seed: SeededGenerator.derive(seed, UInt64(index)))
      let readCase = BlobReadCase.all[Int(generator.next() % UInt64(BlobReadCase.all.count))]
      let damage = BlobDamage.allCases[Int(generator.next() % UInt64(BlobDamage.allCases.count))]
      report.tally["\(readCase.name) / \(damage)", default: 0] += 1
      let problems = try await run(readCase, damage, generator: &generator)
      report.failures += problems.map { "case \(index) (\(readCase.name), \(damage)): \($0)" }
    }
    if let path = ProcessInfo.processInfo.environment["PLEURA_INTEGRITY_REPORT"] {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
      try encoder.encode(report).write(to: URL(fileURLWithPath: path))
    }
    return report
  }

  /// Every row of every table but the run records (a refused run is recorded as failed).
  static func entityRows(_ catalog: URL) throws -> [String] {
    try CatalogSnapshot.take(catalog).filter {
      !$0.hasPrefix("run:") && !$0.hasPrefix("run_edge:") && !$0.hasPrefix("file: ")
    }
  }

  /// Blob files (not staging) with their sizes.
  static func objectFiles(_ catalog: URL) throws -> [String: Int] {
    let objects = catalog.appendingPathComponent("objects")
    var files: [String: Int] = [:]
    for folder in try FileManager.default.contentsOfDirectory(atPath: objects.path) where folder != "staging"
    {
      let path = objects.appendingPathComponent(folder)
      for name in (try? FileManager.default.contentsOfDirectory(atPath: path.path)) ?? [] {
        let attributes = try FileManager.default.attributesOfItem(
          atPath: path.appendingPathComponent(name).path)
        files[name] = (attributes[.size] as? Int) ?? -1
      }
    }
    return files
  }

  static func regularFiles(under folder: URL) throws -> [String] {
    guard let walker = FileManager.default.enumerator(atPath: folder.path) else { return [] }
    var files: [String] = []
    for case let path as String in walker {
      var isFolder: ObjCBool = false
      _ = FileManager.default.fileExists(
        atPath: folder.appendingPathComponent(path).path, isDirectory: &isFolder)
      if !isFolder.boolValue { files.append(path) }
    }
    return files.sorted()
  }
}
