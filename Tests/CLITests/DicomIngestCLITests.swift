import Foundation
import TestSupport
import Testing

/// `pleura ingest` on ultrasound DICOM, end to end with the real binary: de-identified and masked
/// sources that everything downstream works on, and no identifier anywhere Pleura writes.
@Suite(
  .enabled(if: DicomFixtures.toolsAvailable, "DCMTK's tools (Debian dcmtk) are needed to make test DICOMs"))
struct DicomIngestCLITests {
  /// A 64x48 clip of 64 frames at 30 fps (just over the 2 s the demo dataset cuts), with a banner
  /// above its one ultrasound region.
  static func clip(_ cli: PleuraCLI, name: String, encoding: DicomFixtures.Encoding = .explicitLittle) throws
    -> URL
  {
    var spec = DicomFixtures.Spec()
    spec.frames = 64
    spec.timing = ["(0018,0040) IS [30]"]
    spec.regions = [(0, DicomFixtures.bannerRows, 63, 47)]
    return try DicomFixtures.make(spec, encoding: encoding, in: cli.folder, name: name)
  }

  /// Identifying header values of a public file, as dcmdump prints them (values of 6 characters or
  /// more: shorter ones, such as a Patient ID of "1", are found by chance in any binary file).
  static func identifiers(of file: URL) throws -> [String] {
    let tags = ["0010,0010", "0010,0020", "0010,0030", "0008,0050", "0008,0080", "0008,0090", "0008,1070"]
    let text = try ExternalTool.check("dcmdump", tags.flatMap { ["+P", $0] } + [file.path])
    let values = text.split(separator: "\n").compactMap { line -> String? in
      guard let open = line.firstIndex(of: "["), let close = line.lastIndex(of: "]"), open < close else {
        return nil
      }
      return String(line[line.index(after: open)..<close])
    }
    // The whole value and each of its parts (name components, words, multiple values).
    let parts =
      values
      + values.flatMap { $0.split(whereSeparator: { $0 == "^" || $0 == "\\" || $0 == " " }).map(String.init) }
    return Set(parts.map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0.count >= 6 }).sorted()
  }

  /// Every file under `folder` whose bytes contain one of `values`, as "file: value".
  static func leaks(of values: [String], under folder: URL) -> [String] {
    var found: [String] = []
    guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil) else {
      return []
    }
    for case let url as URL in walker {
      guard let data = try? Data(contentsOf: url) else { continue }
      for value in values where data.range(of: Data(value.utf8)) != nil {
        found.append("\(url.lastPathComponent): \(value)")
      }
    }
    return found
  }

  @Test func noIdentifierReachesTheCatalogTheLogsOrABundle() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    #expect(try cli.run(["init"]).status == 0)
    let key = cli.folder.appendingPathComponent("site.key").path
    var outputs: [String] = []
    func run(_ arguments: [String]) throws -> PleuraCLI.Result {
      let result = try cli.run(arguments)
      outputs += [result.stdout, result.stderr]
      return result
    }
    let present = try Self.clip(cli, name: "present")
    let absent = try Self.clip(cli, name: "absent", encoding: .jpegLS)
    var scanned = DicomFixtures.identifiers
    let first = try run([
      "ingest", present.path, "--patient-from-header", "--label", "present", "--key-file", key,
    ])
    #expect(first.status == 0, "\(first.stderr)")
    let second = try run(["ingest", absent.path, "--patient", "P002", "--label", "absent", "--key-file", key])
    #expect(second.status == 0, "\(second.stderr)")
    if let ybr = PublicDicomFiles.ybrColor, let multiframe = PublicDicomFiles.deidMultiframe,
      let cine = try PublicDicomFiles.deidGreyscaleCine(in: cli.folder)
    {
      let files = [ybr, multiframe, cine]
      scanned += try files.flatMap { try Self.identifiers(of: $0) }
      #expect(scanned.contains("PATIENTFIVE") && scanned.contains("CCHS CLEVELAND CLINIC CANADA"))
      for (index, file) in files.enumerated() {
        let result = try run([
          "ingest", file.path, "--patient", "PUB\(index)", "--label", "unknown", "--key-file", key,
        ])
        #expect(result.status == 0, "\(result.stderr)")
      }
    } else {
      print(
        "skipped the public DICOM files: pydicom and deid-data are not installed (scripts/setup-python-tools.sh)"
      )
    }
    let videos = try #require(try cli.json(["videos"]) as? [[String: Any]])
    #expect(
      videos.allSatisfy { $0["container"] as? String == "dicom" && $0["codec"] as? String == "RLE Lossless" })
    let fromHeader = try #require(videos.first { $0["label"] as? String == "present" })
    #expect((fromHeader["patient"] as? String)?.hasPrefix("h-") == true)

    #expect(try run(["transcode", "--all", "--preset", "ultrafast"]).status == 0)
    for video in videos where ["present", "absent"].contains(video["label"] as? String) {
      let id = try #require(video["id"] as? String)
      #expect(try run(["roi", "set", id, "--rect", "2,10,60,36"]).status == 0)
      let frame = try run([
        "frame", id, "--at", "1", "-o", cli.folder.appendingPathComponent("\(id).png").path,
      ])
      #expect(frame.status == 0, "\(frame.stderr)")
    }
    let build = try run(["dataset", "build", "demo"])
    #expect(build.status == 0, "\(build.stderr)")
    let bundle = cli.folder.appendingPathComponent("demo.tar.gz")
    let export = try run(["export", "demo@1", "-o", bundle.path, "--with-sources", "--gzip"])
    #expect(export.status == 0, "\(export.stderr)")
    let extracted = cli.folder.appendingPathComponent("extracted")
    try FileManager.default.createDirectory(at: extracted, withIntermediateDirectories: true)
    try ExternalTool.check("tar", ["-xzf", bundle.path, "-C", extracted.path])

    #expect(try run(["verify"]).status == 0)
    #expect(Self.leaks(of: scanned, under: cli.catalog) == [])
    #expect(Self.leaks(of: scanned, under: extracted) == [])
    for output in outputs {
      for value in scanned { #expect(!output.contains(value), "\(value) printed") }
    }
    // The shipped sources are the de-identified copies, and DCMTK reads them.
    let shipped = try FileManager.default.subpathsOfDirectory(atPath: extracted.path).map {
      extracted.appendingPathComponent($0)
    }.filter { url in
      (try? FileHandle(forReadingFrom: url)).map { handle in
        defer { try? handle.close() }
        return (try? handle.read(upToCount: 132))?.suffix(4) == Data("DICM".utf8)
      } ?? false
    }
    #expect(shipped.count == 2)
    for file in shipped {
      #expect(try ExternalTool.check("dcmdump", ["+P", "0012,0062", file.path]).contains("[YES]"))
    }
    // Another site imports the bundle and works on the DICOM sources it brought.
    let other = PleuraCLI()
    defer { other.cleanUp() }
    try other.run(["init", "--site-name", "Other"])
    let imported = try other.run(["import", bundle.path])
    #expect(imported.status == 0, "\(imported.stderr)")
    let theirs = try #require(try other.json(["videos"]) as? [[String: Any]])
    #expect(theirs.count == 2 && theirs.allSatisfy { $0["container"] as? String == "dicom" })
    let picture = other.folder.appendingPathComponent("theirs.png").path
    let id = try #require(theirs.first?["id"] as? String)
    #expect(try other.run(["frame", id, "--at", "0.5", "-o", picture]).status == 0)
    #expect(try other.run(["verify"]).status == 0)
  }

  @Test func theSameOriginalIsRecognisedAndMasksAndAcceptanceAreRecorded() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    let key = cli.folder.appendingPathComponent("site.key").path
    let file = try Self.clip(cli, name: "clip")
    let ingest = ["ingest", file.path, "--label", "present", "--key-file", key]
    #expect(try cli.run(ingest + ["--patient", "P1"]).status == 0)
    let again = try cli.run(ingest + ["--patient", "P1"])
    #expect(again.status == 0 && again.stdout.contains("already in the catalog"), "\(again.stdout)")
    // The same original under another patient is refused naming both (issue 11).
    let otherPatient = try cli.run(ingest + ["--patient", "P9"])
    #expect(
      otherPatient.status == 1 && otherPatient.stderr.contains("patient P1")
        && otherPatient.stderr.contains("patient P9"), "\(otherPatient.stderr)")
    #expect((try cli.json(["videos"]) as? [[String: Any]])?.count == 1)

    var spec = DicomFixtures.Spec()
    spec.burnedIn = nil
    let silent = try DicomFixtures.make(spec, in: cli.folder, name: "silent")
    let before = try CatalogSnapshot.take(cli.catalog)
    let refused = try cli.run([
      "ingest", silent.path, "--patient", "P2", "--label", "absent", "--key-file", key,
    ])
    #expect(refused.status == 1 && refused.stderr.contains("does not say whether it has burned-in text"))
    #expect(try CatalogSnapshot.take(cli.catalog) == before)
    let accepted = try cli.run([
      "ingest", silent.path, "--patient", "P2", "--label", "absent", "--key-file", key, "--accept-burned-in",
    ])
    #expect(accepted.status == 0 && accepted.stdout.contains("burned-in text accepted"), "\(accepted.stderr)")
    let masked = try DicomFixtures.make(spec, encoding: .rle, in: cli.folder, name: "masked")
    let withMask = try cli.run([
      "ingest", masked.path, "--patient", "P3", "--label", "absent", "--key-file", key, "--mask", "0,0,64,8",
    ])
    #expect(withMask.status == 0 && withMask.stdout.contains("masked --mask 0,0,64,8"), "\(withMask.stderr)")
    let runs = try #require(try cli.json(["runs"]) as? [[String: Any]])
    let parameters = runs.compactMap { $0["parametersJson"] as? String }.joined()
    #expect(parameters.contains("\"acceptBurnedIn\":true") && parameters.contains("\"masks\""), "\(runs)")
    #expect(!parameters.contains("silent") && !parameters.contains("masked.dcm"))
  }

  @Test func badDicomGetsOneLineAndLeavesTheCatalogAlone() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    let key = cli.folder.appendingPathComponent("site.key").path
    var ct = DicomFixtures.Spec()
    ct.modality = "CT"
    var still = DicomFixtures.Spec()
    still.frames = 1
    let good = try Self.clip(cli, name: "good")
    let truncated = cli.folder.appendingPathComponent("truncated.dcm")
    try Data(try Data(contentsOf: good).prefix(5000)).write(to: truncated)
    // A JPEG named .dcm: FFmpeg would read it as a one-frame MJPEG video.
    let jpeg = cli.folder.appendingPathComponent("picture.dcm")
    try Data([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10] + Array("JFIF".utf8) + [UInt8](repeating: 0, count: 200))
      .write(to: jpeg)
    let cases: [(URL, String)] = [
      (jpeg, "picture.dcm: not a DICOM file"),
      (try DicomFixtures.make(ct, in: cli.folder, name: "ct"), "its modality is 'CT'"),
      (try DicomFixtures.make(still, in: cli.folder, name: "still"), "not a video"),
      (truncated, "truncated.dcm"),
    ]
    let before = try CatalogSnapshot.take(cli.catalog)
    for (file, words) in cases {
      let result = try cli.run([
        "ingest", file.path, "--patient", "P1", "--label", "present", "--key-file", key,
      ])
      #expect(result.status == 1)
      #expect(result.stderr.contains(words), "\(result.stderr)")
      let lines = result.stderr.split(separator: "\n").filter {
        !$0.contains("ingest run(s) failed") && !$0.contains("created a new site key")
      }
      #expect(lines.count == 1, "\(result.stderr)")
      for value in DicomFixtures.identifiers { #expect(!result.stderr.contains(value)) }
    }
    let keyless = try cli.run(["ingest", good.path, "--patient", "P1", "--label", "present"])
    #expect(keyless.status == 1 && keyless.stderr.contains("--key-file"))
    #expect(try CatalogSnapshot.take(cli.catalog) == before)
  }

  @Test func aManifestNamesDicomFilesLikeVideos() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    let key = cli.folder.appendingPathComponent("site.key").path
    _ = try Self.clip(cli, name: "first")
    var spec = DicomFixtures.Spec()
    spec.burnedIn = "NO"
    _ = try DicomFixtures.make(spec, encoding: .jpegLS, in: cli.folder, name: "second")
    let manifest = cli.folder.appendingPathComponent("videos.csv")
    try "path,patient,label\nfirst.dcm,P1,present\nsecond.dcm,P2,absent\n".write(
      to: manifest, atomically: true, encoding: .utf8)
    let result = try cli.run(["ingest", "--manifest", manifest.path, "--key-file", key])
    #expect(result.status == 0, "\(result.stderr)")
    let videos = try #require(try cli.json(["videos"]) as? [[String: Any]])
    #expect(Set(videos.compactMap { $0["patient"] as? String }) == ["P1", "P2"])
    #expect(videos.allSatisfy { $0["container"] as? String == "dicom" })
  }

  @Test func aFolderIsIngestedThroughItsDicomdirOrFileByFile() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    let key = cli.folder.appendingPathComponent("site.key").path
    let tree = cli.folder.appendingPathComponent("export")
    let nested = tree.appendingPathComponent("SUB")
    try FileManager.default.createDirectory(at: nested, withIntermediateDirectories: true)
    let one = try Self.clip(cli, name: "one")
    var spec = DicomFixtures.Spec()
    spec.regions = [(0, DicomFixtures.bannerRows, 63, 47)]
    let two = try DicomFixtures.make(spec, encoding: .rle, in: cli.folder, name: "two")
    try FileManager.default.moveItem(at: one, to: tree.appendingPathComponent("IM1"))
    try FileManager.default.moveItem(at: two, to: nested.appendingPathComponent("IM2"))
    try "notes".write(to: tree.appendingPathComponent("README.TXT"), atomically: true, encoding: .utf8)
    let result = try cli.run([
      "ingest", tree.path, "--patient", "P1", "--label", "present", "--key-file", key,
    ])
    #expect(result.status == 0, "\(result.stderr)")
    #expect((try cli.json(["videos"]) as? [[String: Any]])?.count == 2)

    // With a DICOMDIR, only the files it names.
    let other = PleuraCLI()
    defer { other.cleanUp() }
    try other.run(["init"])
    try ExternalTool.check(
      "dcmmkdir",
      ["--output-file", tree.appendingPathComponent("DICOMDIR").path, "+id", tree.path, "-Pgp", "+I", "IM1"])
    let listed = try other.run([
      "ingest", tree.path, "--patient", "P1", "--label", "present", "--key-file", key,
    ])
    #expect(listed.status == 0, "\(listed.stderr)")
    #expect((try other.json(["videos"]) as? [[String: Any]])?.count == 1)
  }
}
