import Foundation
import TestSupport
import Testing

@testable import Media

/// Files that are not an ultrasound cine loop Pleura can decode are refused with one sentence that
/// names the problem and no header value that identifies anyone.
@Suite(
  .enabled(if: DicomFixtures.toolsAvailable, "DCMTK's tools (Debian dcmtk) are needed to make test DICOMs"))
struct DicomRefusalTests {
  let folder: URL

  init() throws {
    folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "dicom-refusal-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  }

  func refusal(_ file: URL) -> String {
    do {
      _ = try DicomVideo.inspect(file)
      return "accepted"
    } catch {
      let message = String(describing: error)
      for identifier in DicomFixtures.identifiers { #expect(!message.contains(identifier)) }
      #expect(!message.contains("\n"))
      return message
    }
  }

  @Test func otherModalitiesAreNamed() throws {
    defer { try? FileManager.default.removeItem(at: folder) }
    var spec = DicomFixtures.Spec()
    spec.modality = "CT"
    let message = refusal(try DicomFixtures.make(spec, in: folder, name: "ct"))
    #expect(message.contains("not an ultrasound DICOM") && message.contains("'CT'"), "\(message)")
  }

  @Test func singleFrameUltrasoundIsAStillImage() throws {
    defer { try? FileManager.default.removeItem(at: folder) }
    var spec = DicomFixtures.Spec()
    spec.sopClass = "1.2.840.10008.5.1.4.1.1.6.1"
    spec.frames = 1
    #expect(
      refusal(try DicomFixtures.make(spec, in: folder, name: "still")).contains(
        "still images are not ingested"))
    var one = DicomFixtures.Spec()
    one.frames = 1
    #expect(refusal(try DicomFixtures.make(one, in: folder, name: "one")).contains("single-frame"))
  }

  @Test func framesBeyondTheDataAreRefused() throws {
    defer { try? FileManager.default.removeItem(at: folder) }
    for encoding in [DicomFixtures.Encoding.explicitLittle, .rle] {
      let file = try DicomFixtures.make(
        DicomFixtures.Spec(), encoding: encoding, in: folder, name: "short-\(encoding)")
      try ExternalTool.check("dcmodify", ["-nb", "-m", "(0028,0008)=9", file.path])
      let message = refusal(file)
      #expect(
        message.contains("declares 9 frames but the pixel data holds only 4"), "\(encoding): \(message)")
    }
  }

  @Test func unsupportedTransferSyntaxIsNamed() throws {
    defer { try? FileManager.default.removeItem(at: folder) }
    let file = try DicomFixtures.make(DicomFixtures.Spec(), encoding: .jpegLossless, in: folder, name: "j2k")
    // Relabelled JPEG 2000 (a UID of the same length): DCMTK has no JPEG 2000 decoder.
    var bytes = try Data(contentsOf: file)
    let lossless = Data("1.2.840.10008.1.2.4.70".utf8)
    let range = try #require(bytes.range(of: lossless))
    bytes.replaceSubrange(range, with: Data("1.2.840.10008.1.2.4.90".utf8))
    try bytes.write(to: file)
    let message = refusal(file)
    #expect(message.contains("transfer syntax JPEG 2000") && message.contains("not supported"), "\(message)")
  }

  /// Found by scripts/fuzz-dicom.sh: DCMTK 3.6.7 crashed (a bad pointer dereference) decoding one
  /// RLE frame whose header puts its last segment past the end of its fragment.
  @Test(arguments: [DicomFixtures.Photometric.monochrome2, .rgb])
  func rleSegmentsOutsideTheirFragmentAreRefused(photometric: DicomFixtures.Photometric) throws {
    defer { try? FileManager.default.removeItem(at: folder) }
    var spec = DicomFixtures.Spec()
    spec.photometric = photometric
    let file = try DicomFixtures.make(spec, encoding: .rle, in: folder, name: "rle")
    var bytes = try Data(contentsOf: file)
    let segments: UInt8 = photometric == .rgb ? 3 : 1
    let header = Data([segments, 0, 0, 0, 64, 0, 0, 0])
    // The second frame's fragment says its last segment starts 32 MB in, past its end.
    let first = try #require(bytes.range(of: header))
    let found = try #require(bytes.range(of: header, in: first.upperBound..<bytes.count))
    let last = found.lowerBound + 4 * Int(segments)
    bytes.replaceSubrange(last..<last + 4, with: [0xA0, 0x18, 0x00, 0x02])
    try bytes.write(to: file)
    let decoder = try DicomVideoDecoder(url: file)
    #expect(try decoder.nextFrame() != nil)
    #expect {
      _ = try decoder.nextFrame()
    } throws: { error in
      String(describing: error).contains("frame 1 cannot be decoded: its RLE header names segments outside")
    }
  }

  @Test func wrongElementLengthsAreRefused() throws {
    defer { try? FileManager.default.removeItem(at: folder) }
    let file = try DicomFixtures.make(DicomFixtures.Spec(), in: folder, name: "lengths")
    let original = try Data(contentsOf: file)
    let name = try #require(original.range(of: Data("ZZTESTDOE".utf8)))
    // Explicit VR little endian: tag (4), "PN" (2), a 2-byte length, then the value.
    for length: [UInt8] in [[0xF0, 0xFF], [0x01, 0x7F]] {
      var bytes = original
      bytes.replaceSubrange(name.lowerBound - 2..<name.lowerBound, with: length)
      let damaged = folder.appendingPathComponent("length-\(length[1]).dcm")
      try bytes.write(to: damaged)
      let message = refusal(damaged)
      #expect(message.contains("not a readable DICOM file"), "\(message)")
    }
  }

  @Test func missingTimingIsRefused() throws {
    defer { try? FileManager.default.removeItem(at: folder) }
    var spec = DicomFixtures.Spec()
    spec.timing = []
    #expect(refusal(try DicomFixtures.make(spec, in: folder, name: "untimed")).contains("no frame rate"))
  }

  @Test func truncatedAndDamagedFilesAreRefused() throws {
    defer { try? FileManager.default.removeItem(at: folder) }
    let file = try DicomFixtures.make(DicomFixtures.Spec(), in: folder, name: "clip")
    let bytes = try Data(contentsOf: file)
    for cut in [100, 140, 600, bytes.count - 5000, bytes.count - 1] {
      let truncated = folder.appendingPathComponent("cut-\(cut).dcm")
      try bytes.prefix(cut).write(to: truncated)
      #expect(refusal(truncated) != "accepted", "cut at \(cut)")
    }
    let text = folder.appendingPathComponent("text.dcm")
    try Data("not a DICOM file at all, just some words in a file".utf8).write(to: text)
    #expect(!DicomFile.looksLikeDicom(text))
    #expect(throws: DicomError.self) { try DicomFile(url: text) }
  }
}
