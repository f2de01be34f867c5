import Crypto
import Foundation
import Platform
import TestSupport
import Testing

@testable import Media

/// Mutated DICOM files through everything ingest does with a DICOM (inspect, decode every frame,
/// de-identify and write): each must be refused with an error or handled, never crash or hang.
///
/// `make test` runs a bounded number of cases; `scripts/fuzz-dicom.sh` runs many more
/// (`PLEURA_DICOM_FUZZ_CASES`, `PLEURA_DICOM_FUZZ_SEED`) and records the outcome in
/// docs/DICOM-fuzz.md. The file being tried is written to `PLEURA_DICOM_FUZZ_CURRENT` when set,
/// so a crash leaves its reproducer behind.
@Suite(
  .enabled(if: DicomFixtures.toolsAvailable, "DCMTK's tools (Debian dcmtk) are needed to make test DICOMs"))
struct DicomFuzzTests {
  static let environment = ProcessInfo.processInfo.environment
  static let cases = Int(environment["PLEURA_DICOM_FUZZ_CASES"] ?? "") ?? 300
  static let seed = UInt64(environment["PLEURA_DICOM_FUZZ_SEED"] ?? "") ?? 20_261_127

  /// SplitMix64: a small seeded generator, so a failing case can be replayed.
  struct Generator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
  }

  static func mutate(_ original: Data, using generator: inout Generator) -> (Data, String) {
    var bytes = [UInt8](original)
    let kind = Int.random(in: 0..<7, using: &generator)
    // Most damage goes to the header, where the parser works; some anywhere.
    func position() -> Int {
      let headerEnd = min(bytes.count, 1200)
      return Bool.random(using: &generator) && headerEnd > 132
        ? Int.random(in: 132..<headerEnd, using: &generator)
        : Int.random(in: 0..<bytes.count, using: &generator)
    }
    switch kind {
    case 0:
      for _ in 0..<Int.random(in: 1...8, using: &generator) {
        bytes[position()] ^= 1 << UInt8.random(in: 0...7, using: &generator)
      }
      return (Data(bytes), "bit flips")
    case 1:
      for _ in 0..<Int.random(in: 1...8, using: &generator) {
        bytes[position()] = UInt8.random(in: 0...255, using: &generator)
      }
      return (Data(bytes), "random bytes")
    case 2:
      return (Data(bytes.prefix(Int.random(in: 0..<bytes.count, using: &generator))), "truncation")
    case 3:
      // A length field made huge or odd.
      let at = position() & ~1
      let values: [[UInt8]] = [
        [0xFF, 0xFF, 0xFF, 0xFF], [0xFF, 0xFF, 0xFF, 0x7F], [0x01, 0x00, 0x00, 0x80], [0x03, 0, 0, 0],
      ]
      let value = values[Int.random(in: 0..<values.count, using: &generator)]
      for (offset, byte) in value.enumerated() where at + offset < bytes.count { bytes[at + offset] = byte }
      return (Data(bytes), "length field")
    case 4:
      let start = position()
      let length = min(bytes.count - start, Int.random(in: 1...256, using: &generator))
      bytes.insert(contentsOf: bytes[start..<start + length], at: min(bytes.count, start + length))
      return (Data(bytes), "duplicated chunk")
    case 5:
      let start = position()
      bytes.removeSubrange(start..<min(bytes.count, start + Int.random(in: 1...64, using: &generator)))
      return (Data(bytes), "deleted chunk")
    default:
      let start = position()
      for index in start..<min(bytes.count, start + Int.random(in: 1...512, using: &generator)) {
        bytes[index] = 0
      }
      return (Data(bytes), "zeroed run")
    }
  }

  /// Seeds: small files in several transfer syntaxes, with sequences and colour.
  static func seeds(in folder: URL) throws -> [Data] {
    var specs: [(DicomFixtures.Spec, DicomFixtures.Encoding)] = []
    var regions = DicomFixtures.Spec()
    regions.regions = [(0, 8, 63, 47), (10, 10, 20, 20)]
    regions.frames = 3
    var rgb = DicomFixtures.Spec()
    rgb.photometric = .rgb
    rgb.frames = 2
    var palette = DicomFixtures.Spec()
    palette.photometric = .palette
    palette.frames = 2
    for encoding in [
      DicomFixtures.Encoding.explicitLittle, .implicitLittle, .explicitBig, .deflated, .rle, .jpegLS,
    ] {
      specs.append((regions, encoding))
    }
    specs += [(rgb, .jpegBaseline), (rgb, .rle), (palette, .explicitLittle), (regions, .jpegLossless)]
    return try specs.enumerated().map { index, spec in
      try Data(contentsOf: DicomFixtures.make(spec.0, encoding: spec.1, in: folder, name: "seed\(index)"))
    }
  }

  /// A hang fails the run: the limit grows with the cases (about 400 a minute here, under load).
  static let minutes = max(5, cases / 400)

  @Test(.timeLimit(.minutes(minutes)))
  func mutatedFilesAreRefusedOrReadNeverCrash() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "dicom-fuzz-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let seeds = try Self.seeds(in: folder)
    let current =
      Self.environment["PLEURA_DICOM_FUZZ_CURRENT"].map { URL(fileURLWithPath: $0) }
      ?? folder.appendingPathComponent("current.dcm")
    let output = folder.appendingPathComponent("out.dcm")
    let options = DicomDeidentification(
      identity: DicomKeyedIdentity(
        key: SiteKey(key: SymmetricKey(data: Data(repeating: 3, count: 32)))),
      patientCode: "FUZZ", acceptBurnedIn: true)
    var generator = Generator(state: Self.seed)
    var outcomes: [String: Int] = [:]
    for _ in 0..<Self.cases {
      let seed = seeds[Int.random(in: 0..<seeds.count, using: &generator)]
      let (mutant, kind) = Self.mutate(seed, using: &generator)
      try mutant.write(to: current)
      let outcome: String
      do {
        let decoder = try DicomVideoDecoder(url: current)
        while try decoder.nextFrame() != nil {}
        _ = try DicomDeidentifier.write(current, to: output, options: options)
        _ = try DicomVideo.inspect(output)
        outcome = "accepted"
      } catch let error as DicomError {
        let message = String(describing: error)
        #expect(!message.contains("\n"), "\(kind): \(message)")
        outcome = "refused: " + Self.category(error)
      }
      outcomes[outcome, default: 0] += 1
    }
    let summary = outcomes.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
    print("dicom fuzz: \(Self.cases) cases from seed \(Self.seed): \(summary)")
    #expect(outcomes.values.reduce(0, +) == Self.cases)
    #expect((outcomes["accepted"] ?? 0) > 0, "no mutant was readable: the mutations are too coarse")
  }

  static func category(_ error: DicomError) -> String {
    switch error {
    case .notDicom: "not DICOM"
    case .notUltrasound, .notUltrasoundStorage: "not ultrasound"
    case .stillImage: "still image"
    case .unsupportedTransferSyntax: "transfer syntax"
    case .unsupportedImage: "image attributes"
    case .frameCountBeyondData: "frames beyond data"
    case .noFrameRate: "no frame rate"
    case .undecodable: "undecodable"
    case .burnedInText: "burned-in text"
    case .maskOutsideFrame: "mask"
    case .needsSiteKey, .noPatientID: "key or patient"
    case .cannotWrite: "cannot write"
    }
  }
}
