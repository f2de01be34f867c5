import CDicomLazy
import Crypto
import Foundation
import Platform
import Testing

@testable import Media

/// The small pieces of DICOM handling, each on its own.
struct DicomPartsTests {
  @Test(arguments: [
    ("33.333", 1_000_000, 33333), ("40", 25, 1), ("4E1", 25, 1), ("40.0", 25, 1),
    ("16.6667", 10_000_000, 166_667),
  ])
  func frameTimeGivesAnExactRate(text: String, numerator: Int, denominator: Int) {
    #expect(DicomFrameRate.fromFrameTime(text) == VideoRational(numerator, denominator))
  }

  @Test(arguments: ["", "abc", "0", "-40", "1e99", "0.0001", "1.2.3"])
  func unusableFrameTimesGiveNoRate(text: String) {
    #expect(DicomFrameRate.fromFrameTime(text) == nil)
  }

  @Test func frameTimeVectorGivesTheMeanRate() {
    #expect(DicomFrameRate.fromFrameTimeVector("0\\40\\40") == VideoRational(25, 1))
    let mixed = DicomFrameRate.fromFrameTimeVector("0\\30\\50")!
    #expect(abs(mixed.doubleValue - 25) < 1e-6)
    #expect(DicomFrameRate.fromFrameTimeVector("0") == nil)
  }

  @Test func theProfileTableIsComplete() {
    let profile = ConfidentialityProfile.basic
    #expect(profile.entries.count == 620)
    #expect(profile.entry(for: DicomTag(0x0010, 0x0010))?.action == .zero)
    #expect(profile.entry(for: DicomTag(0x0008, 0x0080))?.action == .removeZeroOrDummy)
    #expect(profile.entry(for: DicomTag(0x0020, 0x000D))?.action == .uid)
    #expect(profile.entry(for: DicomTag(0x6002, 0x3000))?.action == .remove)
    #expect(profile.entry(for: DicomTag(0x0028, 0x0010)) == nil)
  }

  @Test func maskRulesReadTheirFileAndNameBadLines() throws {
    #expect(MaskRules.builtIn.rules.count >= 10)
    let siemens = MaskRules.builtIn.match(manufacturer: "SIEMENS", model: "S2000", columns: 1024, rows: 768)
    #expect(siemens?.rectangles == [PixelRect(x: 0, y: 0, width: 1024, height: 60)])
    #expect(MaskRules.builtIn.match(manufacturer: "SIEMENS", model: "S2000", columns: 640, rows: 480) == nil)
    #expect(
      throws: MaskRulesError(
        file: "f", line: 2, reason: "rectangle '0,0,0,5' is not X,Y,W,H with W and H positive")
    ) {
      try MaskRules.parse("# c\nAcme\t*\t*\t*\t0,0,0,5\n", origin: "f")
    }
    #expect(throws: MaskRulesError.self) { try MaskRules.parse("Acme\t*\t10\n", origin: "f") }
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "rules-\(UUID().uuidString).tsv")
    defer { try? FileManager.default.removeItem(at: folder) }
    try "SIEMENS\tS2000\t*\t*\t0,0,10,10\n".write(to: folder, atomically: true, encoding: .utf8)
    let site = try MaskRules.site(file: folder)
    #expect(
      site.match(manufacturer: "Siemens", model: "S2000", columns: 1024, rows: 768)?.rectangles.first?.width
        == 10)
  }

  @Test func masksCoverExactlyTheirPixels() {
    let outside = PixelMask.outside(
      [PixelRect(x: 2, y: 1, width: 3, height: 2)], width: 6, height: 4, summary: "")
    #expect(outside.maskedPixels == 24 - 6)
    let inside = PixelMask.inside(
      [PixelRect(x: -5, y: 3, width: 100, height: 9)], width: 6, height: 4, summary: "")
    #expect(inside.maskedPixels == 6)
    var frame = [UInt8](repeating: 200, count: 6 * 4 * 3)
    inside.apply(to: &frame, samples: 3)
    #expect(frame.prefix(54).allSatisfy { $0 == 200 } && frame.suffix(18).allSatisfy { $0 == 0 })
  }

  @Test func keyedIdentitiesAreStableAndValid() {
    let identity = DicomKeyedIdentity(
      key: SiteKey(key: SymmetricKey(data: Data(repeating: 1, count: 32))))
    let uid = identity.uid(for: "1.2.3.4")
    #expect(uid == identity.uid(for: "1.2.3.4") && uid != identity.uid(for: "1.2.3.5"))
    #expect(uid.hasPrefix("2.25.") && uid.count <= 64 && uid.allSatisfy { $0.isNumber || $0 == "." })
    #expect(DicomKeyedIdentity.decimal([0x01, 0x00]) == "256")
    #expect(
      DicomKeyedIdentity.decimal([UInt8](repeating: 0xFF, count: 16))
        == "340282366920938463463374607431768211455")
    let days = identity.dateShiftDays(patient: "P1")
    #expect((1...3650).contains(days) && days == identity.dateShiftDays(patient: "P1"))
    let code = identity.patientCode(forPatientID: " MRN1 ")
    #expect(code == identity.patientCode(forPatientID: "MRN1") && code.hasPrefix("h-") && code.count == 26)
  }

  @Test func datesShiftAcrossMonthsAndLeapYears() {
    #expect(HeaderRewriter.shiftDate("20240301", days: -1) == "20240229")
    #expect(HeaderRewriter.shiftDate("20230101", days: -365) == "20220101")
    #expect(HeaderRewriter.shiftDate("20231301", days: -1) == nil)
    #expect(HeaderRewriter.shiftDate("2023", days: -1) == nil)
  }

  @Test func packBitsRoundTrips() {
    var generator = SystemRandomNumberGenerator()
    for length in [1, 2, 3, 127, 128, 129, 300, 1000] {
      for pattern in 0..<4 {
        let input: [UInt8] = (0..<length).map { index in
          switch pattern {
          case 0: UInt8.random(in: 0...255, using: &generator)
          case 1: UInt8(index / 50 % 256)
          case 2: UInt8.random(in: 0...1, using: &generator)
          default: [1, 2, 2, 3, 4, 4, 5][index % 7]  // singles between pairs: the worst case
          }
        }
        var encoded = [UInt8](repeating: 0, count: 2 * length + 2)
        let count = pleura_dicom_packbits(input, length, 1, &encoded)
        #expect(count <= length + length / 128 + 1, "the encoder's output bound")
        #expect(Self.unpack(Array(encoded.prefix(count))) == input, "length \(length) pattern \(pattern)")
      }
    }
  }

  static func unpack(_ data: [UInt8]) -> [UInt8] {
    var output: [UInt8] = []
    var index = 0
    while index < data.count {
      let header = Int(Int8(bitPattern: data[index]))
      index += 1
      if header >= 0 {
        output += data[index..<min(data.count, index + header + 1)]
        index += header + 1
      } else if header != -128, index < data.count {
        output += [UInt8](repeating: data[index], count: 1 - header)
        index += 1
      }
    }
    return output
  }
}
