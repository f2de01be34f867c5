import Foundation

/// Ultrasound DICOM files made at test time with DCMTK's command-line tools (`dump2dcm` from a
/// text dump and a raw pixel file, then `dcmconv`, `dcmcjpeg`, `dcmcrle`, `dcmcjpls` for the other
/// transfer syntaxes): tools nobody here wrote, independent of the DCMTK code Pleura links.
///
/// Every file carries the same identifying header values (`identifiers`) and a bright "banner" in
/// its top `bannerRows` rows, so tests can check that neither survives de-identification.
public enum DicomFixtures {
  public static var toolsAvailable: Bool {
    ["dump2dcm", "dcmconv", "dcmcjpeg", "dcmdjpeg", "dcmcrle", "dcmcjpls", "dcmdump", "dcmodify", "dcmmkdir"]
      .allSatisfy {
        ExternalTool.which($0) != nil
      }
  }

  /// The identifying values every fixture's header holds (none may reach the catalog).
  public static let identifiers = [
    "ZZTESTDOE^JANEQUINCY", "MRN4455667", "19700412", "ACC998877", "SAINT EXAMPLE HOSPITAL",
    "HOUSE^GREGORYDR",
    "OTHERID31337", "PRIVATE NOTE 7731", "1.2.826.0.1.3680043.99.1", "1.2.826.0.1.3680043.99.2",
    "1.2.826.0.1.3680043.99.3",
  ]
  public static let bannerRows = 8

  public enum Photometric: String, CaseIterable, Sendable {
    case monochrome1 = "MONOCHROME1"
    case monochrome2 = "MONOCHROME2"
    case rgb = "RGB"
    case ybrFull = "YBR_FULL"
    case palette = "PALETTE COLOR"

    var samples: Int { self == .rgb || self == .ybrFull ? 3 : 1 }
  }

  public enum Encoding: String, CaseIterable, Sendable {
    case explicitLittle, implicitLittle, explicitBig, deflated, jpegBaseline, jpegLossless, rle, jpegLS
  }

  public struct Spec: Sendable {
    public var width = 64
    public var height = 48
    public var frames = 4
    public var photometric = Photometric.monochrome2
    public var modality = "US"
    public var sopClass = "1.2.840.10008.5.1.4.1.1.3.1"
    /// Extra dump lines (e.g. "(0018,1063) DS [40]"); the defaults give Frame Time 40 ms.
    public var timing = ["(0018,1063) DS [40]"]
    /// Burned In Annotation, or nil to leave it out.
    public var burnedIn: String? = "YES"
    /// Ultrasound regions as (minX0, minY0, maxX1, maxY1).
    public var regions: [(Int, Int, Int, Int)] = []
    /// Number of Frames as written (defaults to `frames`): a larger value than the data holds.
    public var declaredFrames: Int?

    public init() {}
  }

  /// The grey value the fixture's frame `frame` shows at (x, y): a banner of 255/0 stripes in
  /// the top rows, a moving ramp below.
  public static func luma(x: Int, y: Int, frame: Int) -> UInt8 {
    if y < bannerRows { return x % 4 < 2 ? 255 : 0 }
    return UInt8((x * 3 + y * 5 + frame * 7) % 200 + 20)
  }

  /// Writes the fixture and returns its URL.
  public static func make(_ spec: Spec, encoding: Encoding = .explicitLittle, in folder: URL, name: String)
    throws
    -> URL
  {
    let base = folder.appendingPathComponent(name + ".base.dcm")
    let raw = folder.appendingPathComponent(name + ".raw")
    let dump = folder.appendingPathComponent(name + ".dump")
    try pixels(spec).write(to: raw)
    try header(spec, pixelFile: raw).write(to: dump, atomically: true, encoding: .utf8)
    try ExternalTool.check("dump2dcm", ["+E", dump.path, base.path])
    let output = folder.appendingPathComponent(name + ".dcm")
    switch encoding {
    case .explicitLittle: try FileManager.default.moveItem(at: base, to: output)
    case .implicitLittle: try ExternalTool.check("dcmconv", ["+ti", base.path, output.path])
    case .explicitBig: try ExternalTool.check("dcmconv", ["+tb", base.path, output.path])
    case .deflated: try ExternalTool.check("dcmconv", ["+td", base.path, output.path])
    case .jpegBaseline: try ExternalTool.check("dcmcjpeg", ["+eb", base.path, output.path])
    case .jpegLossless: try ExternalTool.check("dcmcjpeg", ["+e1", base.path, output.path])
    case .rle: try ExternalTool.check("dcmcrle", [base.path, output.path])
    case .jpegLS: try ExternalTool.check("dcmcjpls", [base.path, output.path])
    }
    for file in [base, raw, dump] { try? FileManager.default.removeItem(at: file) }
    return output
  }

  static func header(_ spec: Spec, pixelFile: URL) -> String {
    var lines = [
      "(0002,0001) OB 00\\01",
      "(0002,0002) UI [\(spec.sopClass)]",
      "(0002,0003) UI [1.2.826.0.1.3680043.99.3]",
      "(0002,0010) UI =LittleEndianExplicit",
      "(0008,0016) UI [\(spec.sopClass)]",
      "(0008,0018) UI [1.2.826.0.1.3680043.99.3]",
      "(0008,0020) DA [20240131]",
      "(0008,0021) DA [20240131]",
      "(0008,0030) TM [101530]",
      "(0008,0050) SH [ACC998877]",
      "(0008,0060) CS [\(spec.modality)]",
      "(0008,0070) LO [Acme Medical]",
      "(0008,0080) LO [SAINT EXAMPLE HOSPITAL]",
      "(0008,0090) PN [HOUSE^GREGORYDR]",
      "(0008,1090) LO [Sono One]",
      "(0010,0010) PN [ZZTESTDOE^JANEQUINCY]",
      "(0010,0020) LO [MRN4455667]",
      "(0010,0030) DA [19700412]",
      "(0010,1000) LO [OTHERID31337]",
      "(0020,000d) UI [1.2.826.0.1.3680043.99.1]",
      "(0020,000e) UI [1.2.826.0.1.3680043.99.2]",
      "(0028,0002) US \(spec.photometric.samples)",
      "(0028,0004) CS [\(spec.photometric.rawValue)]",
      "(0028,0008) IS [\(spec.declaredFrames ?? spec.frames)]",
      "(0028,0010) US \(spec.height)",
      "(0028,0011) US \(spec.width)",
      "(0028,0100) US 8",
      "(0028,0101) US 8",
      "(0028,0102) US 7",
      "(0028,0103) US 0",
      "(0029,0010) LO [ACME PRIVATE]",
      "(0029,1001) LO [PRIVATE NOTE 7731]",
    ]
    lines += spec.timing
    if spec.photometric.samples == 3 { lines.append("(0028,0006) US 0") }
    if let burnedIn = spec.burnedIn { lines.append("(0028,0301) CS [\(burnedIn)]") }
    if spec.photometric == .palette {
      // 256 entries of 16 bits each, grey: entry i is i * 257.
      let table = (0..<256).map { String(format: "%04x", $0 * 257) }.joined(separator: "\\")
      for (descriptor, data) in [(0x1101, 0x1201), (0x1102, 0x1202), (0x1103, 0x1203)] {
        lines.append("(0028,\(String(descriptor, radix: 16))) US 256\\0\\16")
        lines.append("(0028,\(String(data, radix: 16))) OW \(table)")
      }
    }
    if !spec.regions.isEmpty {
      lines.append("(0018,6011) SQ (Sequence with explicit length #=\(spec.regions.count))")
      for (x0, y0, x1, y1) in spec.regions {
        lines += [
          "(fffe,e000) na (Item with explicit length #=7)",
          "(0018,6012) US 1", "(0018,6014) US 1", "(0018,6016) UL 0",
          "(0018,6018) UL \(x0)", "(0018,601a) UL \(y0)", "(0018,601c) UL \(x1)", "(0018,601e) UL \(y1)",
          "(fffe,e00d) na (ItemDelimitationItem)",
        ]
      }
      lines.append("(fffe,e0dd) na (SequenceDelimitationItem)")
    }
    lines.append("(7fe0,0010) OB =\(pixelFile.path)")
    return lines.joined(separator: "\n") + "\n"
  }

  /// Stored samples whose rendering is `luma` (RGB: a colour whose BT.601 luma is close to it).
  static func pixels(_ spec: Spec) -> Data {
    var data = Data()
    data.reserveCapacity(spec.width * spec.height * spec.frames * spec.photometric.samples)
    for frame in 0..<spec.frames {
      for y in 0..<spec.height {
        for x in 0..<spec.width {
          let value = luma(x: x, y: y, frame: frame)
          switch spec.photometric {
          case .monochrome1: data.append(255 - value)
          case .monochrome2, .palette: data.append(value)
          case .rgb: data.append(contentsOf: [value, value, value])
          case .ybrFull: data.append(contentsOf: [value, 128, 128])
          }
        }
      }
    }
    return data
  }
}
