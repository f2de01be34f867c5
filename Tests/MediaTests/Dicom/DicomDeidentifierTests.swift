import Crypto
import Foundation
import Platform
import TestSupport
import Testing

@testable import Media

/// The de-identified copy ingest stores: PS3.15 Basic Profile header, keyed UIDs and dates,
/// masked pixels, readable by DCMTK's own dcmdump and by Pleura.
@Suite(
  .enabled(if: DicomFixtures.toolsAvailable, "DCMTK's tools (Debian dcmtk) are needed to make test DICOMs"))
struct DicomDeidentifierTests {
  let folder: URL
  static let key = SiteKey(key: SymmetricKey(data: Data(repeating: 7, count: 32)))
  static let otherKey = SiteKey(key: SymmetricKey(data: Data(repeating: 9, count: 32)))

  init() throws {
    folder = FileManager.default.temporaryDirectory.appendingPathComponent("dicom-deid-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  }

  func options(key: SiteKey = key, masks: [PixelRect] = [], accept: Bool = false)
    -> DicomDeidentification
  {
    DicomDeidentification(
      identity: DicomKeyedIdentity(key: key), patientCode: "P042", explicitMasks: masks,
      acceptBurnedIn: accept)
  }

  /// dcmdump's lines for the dataset: tag -> value text.
  func dump(_ file: URL) throws -> [(tag: DicomTag, line: String)] {
    let text = try ExternalTool.check("dcmdump", ["+L", "-q", file.path])
    return text.split(separator: "\n").compactMap { line in
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      guard trimmed.hasPrefix("("), trimmed.count > 11,
        let group = UInt16(trimmed.dropFirst(1).prefix(4), radix: 16),
        let element = UInt16(trimmed.dropFirst(6).prefix(4), radix: 16)
      else { return nil }
      return (DicomTag(group, element), trimmed)
    }
  }

  @Test func headerFollowsTheBasicProfile() throws {
    defer { try? FileManager.default.removeItem(at: folder) }
    var spec = DicomFixtures.Spec()
    spec.regions = [(0, 8, 63, 47)]
    let input = try DicomFixtures.make(spec, in: folder, name: "clip")
    let output = folder.appendingPathComponent("out.dcm")
    let result = try DicomDeidentifier.write(input, to: output, options: options())

    let bytes = try Data(contentsOf: output)
    for identifier in DicomFixtures.identifiers {
      #expect(bytes.range(of: Data(identifier.utf8)) == nil, "\(identifier) is still in the file")
    }
    let profile = ConfidentialityProfile.basic
    var seen: Set<DicomTag> = []
    for (tag, line) in try dump(output) {
      seen.insert(tag)
      #expect(!tag.isPrivate, "private element left: \(line)")
      if tag.group == 0x0002 || tag.group == 0xFFFE { continue }
      guard let entry = profile.entry(for: tag) else { continue }
      switch entry.action {
      case .uid: #expect(line.contains("[2.25."), "UID not replaced: \(line)")
      case .zero, .zeroOrDummy:
        #expect(
          line.contains("(no value available)") || line.contains(" DA ["), "\(entry.name) kept: \(line)")
      case .removeZeroOrReplaceUIDs, .dummy: break
      default: Issue.record("\(entry.name) (action \(entry.action.rawValue)) is still there: \(line)")
      }
    }
    let lines = try dump(output).map(\.line)
    #expect(lines.contains { $0.hasPrefix("(0012,0062) CS [YES]") })
    #expect(lines.contains { $0.contains("(0008,0100) SH [113100]") })
    #expect(lines.contains { $0.contains("(0008,0100) SH [113101]") })
    #expect(lines.contains { $0.hasPrefix("(0028,0301) CS [NO]") })
    #expect(lines.contains { $0.hasPrefix("(0002,0010) UI =RLELossless") })
    #expect(seen.contains(DicomTag(0x0010, 0x0010)) && seen.contains(DicomTag(0x0010, 0x0020)))
    // Study Date moves back by the patient's keyed number of days.
    let shift = DicomKeyedIdentity(key: Self.key).dateShiftDays(patient: "P042")
    let studyDate = HeaderRewriter.shiftDate("20240131", days: -shift)!
    #expect(lines.contains { $0.hasPrefix("(0008,0020) DA [\(studyDate)]") })
    #expect(result.replacedUIDs == 3)
    #expect(result.sopInstanceUID == DicomKeyedIdentity(key: Self.key).uid(for: "1.2.826.0.1.3680043.99.3"))
  }

  @Test func pixelsOutsideTheRegionsAreBlackAndTheRestUnchanged() throws {
    defer { try? FileManager.default.removeItem(at: folder) }
    var spec = DicomFixtures.Spec()
    spec.regions = [(4, 8, 59, 47)]
    let input = try DicomFixtures.make(spec, encoding: .jpegLS, in: folder, name: "clip")
    let output = folder.appendingPathComponent("out.dcm")
    _ = try DicomDeidentifier.write(input, to: output, options: options())
    let decoder = try DicomVideoDecoder(url: output)
    #expect(decoder.info.codecName == "RLE Lossless")
    #expect(decoder.video.burnedInAnnotation == "NO")
    while let frame = try decoder.nextFrame() {
      for y in 0..<48 {
        for x in 0..<64 {
          let inside = x >= 4 && x <= 59 && y >= 8
          let expected = inside ? DicomFixtures.luma(x: x, y: y, frame: frame.index) : 0
          if frame.image[x, y] != expected {
            Issue.record("frame \(frame.index) (\(x),\(y)) is \(frame.image[x, y]), expected \(expected)")
            return
          }
        }
      }
    }
    #expect(decoder.framesDecoded == 4)
  }

  @Test func colourSurvivesAndPydicomReadsTheCopy() throws {
    defer { try? FileManager.default.removeItem(at: folder) }
    var spec = DicomFixtures.Spec()
    spec.photometric = .rgb
    let input = try DicomFixtures.make(spec, in: folder, name: "clip")
    let output = folder.appendingPathComponent("out.dcm")
    _ = try DicomDeidentifier.write(
      input, to: output, options: options(masks: [PixelRect(x: 0, y: 0, width: 64, height: 8)]))
    let decoder = try DicomVideoDecoder(url: output)
    #expect(decoder.video.photometricInterpretation == "RGB")
    guard PublicDicomFiles.pydicomAvailable else {
      print("skipped the pydicom check: the test venv has no pydicom (scripts/setup-python-tools.sh)")
      return
    }
    let decoded = Python.run([
      "-c",
      """
      import sys, pydicom
      ds = pydicom.dcmread(sys.argv[1])
      a = ds.pixel_array
      print(a.shape, int(a[:, :8].max()), int(a[2, 20, 10, 0]), ds.PatientIdentityRemoved)
      """,
      output.path,
    ])
    #expect(decoded.status == 0, "\(decoded.stderr)")
    let printed = decoded.stdout
    let expected = DicomFixtures.luma(x: 10, y: 20, frame: 2)
    #expect(printed.trimmingCharacters(in: .whitespacesAndNewlines) == "(4, 48, 64, 3) 0 \(expected) YES")
  }

  @Test func theSameStudyGetsTheSameUIDsUnderOneKeyOnly() throws {
    defer { try? FileManager.default.removeItem(at: folder) }
    var spec = DicomFixtures.Spec()
    spec.burnedIn = "NO"
    let input = try DicomFixtures.make(spec, in: folder, name: "clip")
    let first = folder.appendingPathComponent("a.dcm")
    let second = folder.appendingPathComponent("b.dcm")
    let other = folder.appendingPathComponent("c.dcm")
    _ = try DicomDeidentifier.write(input, to: first, options: options())
    _ = try DicomDeidentifier.write(input, to: second, options: options())
    _ = try DicomDeidentifier.write(input, to: other, options: options(key: Self.otherKey))
    #expect(try Data(contentsOf: first) == Data(contentsOf: second))
    let study = DicomTag(0x0020, 0x000D)
    #expect(try DicomFile(url: first).trimmed(study) == DicomFile(url: second).trimmed(study))
    #expect(try DicomFile(url: first).trimmed(study) != DicomFile(url: other).trimmed(study))
  }

  @Test func burnedInTextWithNothingToMaskIsRefusedUnlessAccepted() throws {
    defer { try? FileManager.default.removeItem(at: folder) }
    for burnedIn in ["YES", nil] {
      var spec = DicomFixtures.Spec()
      spec.burnedIn = burnedIn
      let input = try DicomFixtures.make(spec, in: folder, name: "clip-\(burnedIn ?? "silent")")
      let output = folder.appendingPathComponent("out.dcm")
      #expect(throws: DicomError.self) { try DicomDeidentifier.write(input, to: output, options: options()) }
      #expect(!FileManager.default.fileExists(atPath: output.path))
      let result = try DicomDeidentifier.write(input, to: output, options: options(accept: true))
      #expect(
        result.decision == .unmasked(burnedIn: true, reason: "burned-in text accepted (--accept-burned-in)"))
      #expect(try DicomFile(url: output).trimmed(.burnedInAnnotation) == "YES")
    }
  }

  @Test func aMaskRuleMatchesManufacturerModelAndSize() throws {
    defer { try? FileManager.default.removeItem(at: folder) }
    let rules = try MaskRules.parse("Acme\tSono\t64\t48\t0,0,64,8\n", origin: "test rules")
    let input = try DicomFixtures.make(DicomFixtures.Spec(), in: folder, name: "clip")
    let output = folder.appendingPathComponent("out.dcm")
    var options = options()
    options.rules = rules
    let result = try DicomDeidentifier.write(input, to: output, options: options)
    #expect(result.pixelSummary == "masked 0,0,64,8 (test rules line 1)")
    let frame = try #require(try DicomVideoDecoder(url: output).nextFrame())
    #expect((0..<64).allSatisfy { frame.image[$0, 3] == 0 })
    #expect(frame.image[5, 20] == DicomFixtures.luma(x: 5, y: 20, frame: 0))
  }
}
