import Bag
import Foundation
import Platform
import TestSupport
import Testing

/// Issue 12, item 8: a pseudonymised bundle carries no free text and no name from the local site.
/// A site with identifying file names, notes, ROI authors and site name exports with
/// `--pseudonymize --with-sources`; every byte of the bundle (tag files, rows, RO-Crate, sidecars,
/// stripped videos, shards) is scanned for every such value in UTF-8 and UTF-16, either byte
/// order, any ASCII case.
@Suite(.enabled(if: Fixtures.ffmpegAvailable, "the ffmpeg CLI is needed to make test videos"))
struct PseudonymisedExportCLITests {
  static let site = "St Elsewhere Clinic"
  /// (file, patient, label, notes); the third video gets no ROI, so the dataset lists it as skipped.
  static let videos = [
    ("Smith_Jane_MRN123456.mp4", "P-0001", "present", "Jane Roe born 1970, MRN 123451"),
    ("Doe_John_MRN654321.mp4", "P-0002", "absent", "John \"Johnny\" Doe, ward 7/B"),
    ("Roe_Ann_MRN111222.mp4", "P-0003", "absent", ""),
  ]
  static let author = "Dr Gregory House"
  /// Seen only in run parameters: a second name for bytes already in the catalog, with a note,
  /// and an ROI edit that changed nothing.
  static let renamedCopy = "Smith_Jane_second_visit.mp4"
  static let renamedNote = "copy brought by Mary Sue"
  static let idleAuthor = "Nurse Ratched"

  @Test(.tags(.slow)) func aPseudonymisedBundleCarriesNoNameNoteOrAuthorInAnyByte() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    func step(_ arguments: [String]) throws -> PleuraCLI.Result {
      let result = try cli.run(arguments)
      try #require(result.status == 0, "pleura \(arguments.joined(separator: " ")): \(result.stderr)")
      return result
    }
    _ = try step(["init", "--site-name", Self.site])
    for (index, (file, patient, label, notes)) in Self.videos.enumerated() {
      let url = try Fixtures.video(
        in: cli.folder, name: file, size: "320x240", rate: "30", seconds: 2.2 + 0.1 * Double(index),
        encoder: ["-c:v", "libx264", "-metadata", "title=\(file)", "-metadata", "comment=\(notes)"])
      _ = try step(["ingest", url.path, "--patient", patient, "--label", label, "--notes", notes])
    }
    let copy = cli.folder.appendingPathComponent(Self.renamedCopy)
    try FileManager.default.copyItem(at: cli.folder.appendingPathComponent(Self.videos[0].0), to: copy)
    _ = try step([
      "ingest", copy.path, "--patient", "P-0001", "--label", "present", "--notes", Self.renamedNote,
    ])
    _ = try step(["transcode", "--all", "--preset", "ultrafast"])
    let ids = try SQLiteRows.fetch(cli.catalog, "SELECT id FROM source_video ORDER BY file_name DESC")
      .map { $0[0] }
    for id in ids.prefix(2) {
      _ = try step(["roi", "set", id, "--rect", "10,10,200,150", "--author", Self.author])
    }
    _ = try step(["roi", "set", ids[0], "--rect", "10,10,200,150", "--author", Self.idleAuthor])
    let build = try step(["dataset", "build", "demo"])
    #expect(
      build.stderr.contains("skipped \(ids[2])") && build.stderr.contains("no ROI"),
      "the build names the skipped video and why: \(build.stderr)")
    let key = cli.folder.appendingPathComponent("site.key")
    try Data((0..<32).map { UInt8($0 * 5 + 3) }).write(to: key)
    chmod(key.path, 0o600)
    let bundle = cli.folder.appendingPathComponent("demo.tar.zst")
    _ = try step([
      "export", "demo@1", "--pseudonymize", "--key-file", key.path, "--with-sources", "-o", bundle.path,
    ])

    let staging = cli.folder.appendingPathComponent("staging")
    try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
    let bag = try BagReader(stagingParent: staging).extract(archive: bundle)
    defer { try? bag.remove() }
    let dataset = String(
      decoding: try Data(contentsOf: bag.url(of: "data/catalog/dataset.json")), as: UTF8.self)
    #expect(dataset.contains("skipped") && dataset.contains(ids[2]), "the third video is listed as skipped")
    let forbidden =
      Self.videos.flatMap { [$0.0, $0.1, $0.3] }.filter { !$0.isEmpty }
      + Self.videos.map { String($0.0.dropLast(4)) }
      + [
        Self.site, Self.author, Self.renamedCopy, Self.renamedNote, Self.idleAuthor, "Elsewhere", "Gregory",
        "Johnny", "Jane Roe", "MRN 123451", "Mary Sue", "Ratched",
      ]
    let files = try FileManager.default.subpathsOfDirectory(atPath: bag.root.path).filter { path in
      var folder: ObjCBool = false
      _ = FileManager.default.fileExists(
        atPath: bag.root.appendingPathComponent(path).path, isDirectory: &folder)
      return !folder.boolValue
    }
    #expect(files.contains { $0.hasPrefix("data/blobs/") } && files.contains("bag-info.txt"))
    for file in files {
      let bytes = Self.foldedASCII(try Data(contentsOf: bag.root.appendingPathComponent(file)))
      for value in forbidden {
        for (encoding, needle) in Self.encodings(of: value) where bytes.firstRange(of: needle) != nil {
          Issue.record("\(file) holds '\(value)' (\(encoding))")
        }
      }
    }

    // The bundle still imports whole at another site.
    let other = PleuraCLI()
    defer { other.cleanUp() }
    _ = try other.run(["init", "--site-name", "Receiving Site"])
    let imported = try other.run(["import", bundle.path])
    #expect(imported.status == 0, "\(imported.stderr)")
    #expect(try other.run(["verify"]).status == 0)
  }

  static func foldedASCII(_ data: Data) -> [UInt8] {
    data.map { (65...90).contains($0) ? $0 | 0x20 : $0 }
  }

  static func encodings(of value: String) -> [(String, [UInt8])] {
    let folded = foldedASCII(Data(value.utf8))
    let units = Array(String(decoding: folded, as: UTF8.self).utf16)
    return [
      ("UTF-8", folded),
      ("UTF-16LE", units.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }),
      ("UTF-16BE", units.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }),
    ]
  }
}
