import Foundation
import Platform
import TestSupport
import Testing

@testable import Media

/// Decoding ultrasound DICOM through DCMTK: every transfer syntax and photometric interpretation
/// ingest accepts, frame by frame, to the luma the fixture drew.
@Suite(
  .enabled(if: DicomFixtures.toolsAvailable, "DCMTK's tools (Debian dcmtk) are needed to make test DICOMs"))
struct DicomVideoDecoderTests {
  let folder: URL

  init() throws {
    folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "dicom-decoder-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  }

  static let lossless: [DicomFixtures.Encoding] = [
    .explicitLittle, .implicitLittle, .explicitBig, .deflated, .jpegLossless, .rle, .jpegLS,
  ]

  @Test(arguments: lossless)
  func losslessTransferSyntaxesDecodeExactly(encoding: DicomFixtures.Encoding) throws {
    defer { try? FileManager.default.removeItem(at: folder) }
    let file = try DicomFixtures.make(DicomFixtures.Spec(), encoding: encoding, in: folder, name: "clip")
    let decoder = try VideoDecoders.open(file)
    #expect(decoder is DicomVideoDecoder)
    #expect(decoder.info.container == "dicom")
    #expect(decoder.info.width == 64 && decoder.info.height == 48)
    #expect(decoder.info.frameRate == VideoRational(25, 1))
    #expect(decoder.info.declaredFrameCount == 4)
    var frames = 0
    while let frame = try decoder.nextFrame() {
      #expect(frame.index == frames)
      #expect(abs(frame.seconds - Double(frames) / 25) < 1e-9)
      #expect(maximumDifference(frame.image, frame: frames) == 0, "frame \(frames) of \(encoding)")
      frames += 1
    }
    #expect(frames == 4)
  }

  @Test(arguments: DicomFixtures.Photometric.allCases)
  func photometricInterpretationsBecomeTheSameLuma(photometric: DicomFixtures.Photometric) throws {
    defer { try? FileManager.default.removeItem(at: folder) }
    var spec = DicomFixtures.Spec()
    spec.photometric = photometric
    let file = try DicomFixtures.make(spec, in: folder, name: "clip")
    let decoder = try DicomVideoDecoder(url: file)
    #expect(decoder.video.photometricInterpretation == photometric.rawValue)
    var index = 0
    while let frame = try decoder.nextFrame() {
      // YBR to RGB conversion may round by one.
      #expect(maximumDifference(frame.image, frame: index) <= 1, "\(photometric) frame \(index)")
      index += 1
    }
    #expect(index == 4)
  }

  @Test(arguments: [DicomFixtures.Photometric.monochrome2, .rgb])
  func jpegBaselineDecodesCloseToTheOriginal(photometric: DicomFixtures.Photometric) throws {
    defer { try? FileManager.default.removeItem(at: folder) }
    var spec = DicomFixtures.Spec()
    spec.photometric = photometric
    let file = try DicomFixtures.make(spec, encoding: .jpegBaseline, in: folder, name: "clip")
    let decoder = try DicomVideoDecoder(url: file)
    #expect(decoder.info.codecName == "JPEG Baseline")
    if photometric == .rgb { #expect(decoder.video.photometricInterpretation == "YBR_FULL_422") }
    while let frame = try decoder.nextFrame() {
      #expect(meanDifference(frame.image, frame: frame.index) < 8)
    }
    #expect(decoder.framesDecoded == 4)
  }

  /// JPEG Baseline decompressed without colour conversion: native YBR_FULL, colour by plane.
  @Test func nativeYbrByPlaneDecodesToTheSameLuma() throws {
    defer { try? FileManager.default.removeItem(at: folder) }
    var spec = DicomFixtures.Spec()
    spec.photometric = .rgb
    let jpeg = try DicomFixtures.make(spec, encoding: .jpegBaseline, in: folder, name: "clip")
    let native = folder.appendingPathComponent("native.dcm")
    try ExternalTool.check("dcmdjpeg", ["+cn", "+pl", jpeg.path, native.path])
    let decoder = try DicomVideoDecoder(url: native)
    #expect(decoder.video.photometricInterpretation == "YBR_FULL")
    #expect(decoder.info.codecName == "Little Endian Explicit")
    while let frame = try decoder.nextFrame() {
      #expect(meanDifference(frame.image, frame: frame.index) < 8)
    }
    #expect(decoder.framesDecoded == 4)
  }

  @Test func frameRateComesFromTheFirstUsableTimingAttribute() throws {
    defer { try? FileManager.default.removeItem(at: folder) }
    let cases: [([String], VideoRational)] = [
      (["(0018,1063) DS [33.333]"], VideoRational(1_000_000, 33333)),
      (["(0018,1065) DS [0\\40\\40\\40]"], VideoRational(25, 1)),
      (["(0018,0040) IS [18]"], VideoRational(18, 1)),
      (["(0018,1063) DS [54.241]", "(0018,0040) IS [18]"], VideoRational(1_000_000, 54241)),
      (["(0008,2144) IS [12]"], VideoRational(12, 1)),
    ]
    for (index, (timing, rate)) in cases.enumerated() {
      var spec = DicomFixtures.Spec()
      spec.timing = timing
      let file = try DicomFixtures.make(spec, in: folder, name: "rate\(index)")
      #expect(try DicomVideo.inspect(file).frameRate == rate, "\(timing)")
    }
  }

  @Test func regionsAreClampedToTheFrame() throws {
    defer { try? FileManager.default.removeItem(at: folder) }
    var spec = DicomFixtures.Spec()
    spec.regions = [(10, 8, 595, 414), (-0, 0, 0, 0)]
    let file = try DicomFixtures.make(spec, in: folder, name: "regions")
    let video = try DicomVideo.inspect(file)
    #expect(
      video.regions == [
        PixelRect(x: 10, y: 8, width: 54, height: 40), PixelRect(x: 0, y: 0, width: 1, height: 1),
      ])
  }

  @Test(
    .enabled(
      if: PublicDicomFiles.ybrColor != nil,
      "pydicom's examples_ybr_color.dcm is not installed (PyPI unreachable? see scripts/setup-python-tools.sh)"
    ))
  func publicUltrasoundExampleDecodesAllThirtyFrames() throws {
    defer { try? FileManager.default.removeItem(at: folder) }
    let file = try #require(PublicDicomFiles.ybrColor)
    let decoder = try VideoDecoders.open(file)
    #expect(decoder.info.codecName == "JPEG Baseline")
    #expect(decoder.info.width == 320 && decoder.info.height == 240)
    #expect(decoder.info.frameRate == VideoRational(1_000_000, 33333))
    var count = 0
    while let frame = try decoder.nextFrame() {
      #expect(frame.image.meanBrightness > 1)
      count += 1
    }
    #expect(count == 30)
  }

  func maximumDifference(_ image: GrayImage, frame: Int) -> Int {
    var worst = 0
    for y in 0..<image.height {
      for x in 0..<image.width {
        worst = max(worst, abs(Int(image[x, y]) - Int(DicomFixtures.luma(x: x, y: y, frame: frame))))
      }
    }
    return worst
  }

  func meanDifference(_ image: GrayImage, frame: Int) -> Double {
    var total = 0
    for y in 0..<image.height {
      for x in 0..<image.width {
        total += abs(Int(image[x, y]) - Int(DicomFixtures.luma(x: x, y: y, frame: frame)))
      }
    }
    return Double(total) / Double(image.width * image.height)
  }
}
