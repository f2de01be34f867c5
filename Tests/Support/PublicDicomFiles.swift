import Foundation

/// The public ultrasound DICOM files that PyPI packages ship, installed at test time into
/// benchmarks/.venv by scripts/setup-python-tools.sh (never committed): pydicom 3.0.2's
/// `examples_ybr_color.dcm` and deid-data 0.0.20's `ultrasounds/`.
public enum PublicDicomFiles {
  static var sitePackages: URL? {
    let lib = PackageRoot.url.appendingPathComponent("benchmarks/.venv/lib")
    guard let versions = try? FileManager.default.contentsOfDirectory(atPath: lib.path) else { return nil }
    return versions.filter { $0.hasPrefix("python") }.sorted().last.map {
      lib.appendingPathComponent($0).appendingPathComponent("site-packages")
    }
  }

  /// pydicom's ultrasound example: 30 JPEG Baseline YBR_FULL_422 frames of 320x240, with regions
  /// partly outside the frame.
  public static var ybrColor: URL? {
    existing(sitePackages?.appendingPathComponent("pydicom/data/test_files/examples_ybr_color.dcm"))
  }

  /// deid-data's 30-frame 800x600 RGB multi-frame file (fake names, Burned In Annotation YES).
  public static var deidMultiframe: URL? {
    existing(sitePackages?.appendingPathComponent("deid_data/data/ultrasounds/ultrasound-multiframe.dcm"))
  }

  /// deid-data's single-frame images (stills: refused by ingest).
  public static var deidStill: URL? {
    existing(sitePackages?.appendingPathComponent("deid_data/data/ultrasounds/GREYSCALE_IMAGE.dcm"))
  }

  /// deid-data's 27-frame 800x600 greyscale cine, unzipped into `folder` (it ships zipped).
  public static func deidGreyscaleCine(in folder: URL) throws -> URL? {
    guard
      let zip = existing(
        sitePackages?.appendingPathComponent("deid_data/data/ultrasounds/GREYSCALE_CINE.zip"))
    else { return nil }
    let unzip = Python.run(
      [
        "-c", "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])", zip.path,
        folder.path,
      ])
    guard unzip.status == 0 else {
      throw FixtureError("unzip GREYSCALE_CINE.zip: \(unzip.stderr)")
    }
    return existing(folder.appendingPathComponent("GREYSCALE_CINE.dcm"))
  }

  public static var available: Bool { ybrColor != nil && deidMultiframe != nil }
  /// Whether the test venv's Python has pydicom and numpy.
  public static var pydicomAvailable: Bool { Python.has("pydicom, numpy") }

  static func existing(_ url: URL?) -> URL? {
    guard let url, FileManager.default.fileExists(atPath: url.path) else { return nil }
    return url
  }
}
