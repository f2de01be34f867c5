import Foundation
import Testing

/// Where the package and the data beside it are, found from this file's own path.
public enum PackageRoot {
  /// The folder holding Package.swift.
  public static let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
}

/// The real public lung-ultrasound clips in `../shared/data/real-lus/` (beside the package),
/// with reference ROIs in its `rois.csv`. Tests that read them are tagged `.realClips` and skip
/// with `.enabled(if: RealClips.available, ...)` when the folder is absent.
///
/// `PLEURA_REAL_LUS=FOLDER` reads them from elsewhere; pointing it at a folder that does not exist
/// checks that these tests skip (SkipHygieneTests checks that they say so with `.enabled(if:)`).
public enum RealClips {
  public static let folder =
    ProcessInfo.processInfo.environment["PLEURA_REAL_LUS"].map { URL(fileURLWithPath: $0) }
    ?? PackageRoot.url.deletingLastPathComponent().appendingPathComponent("shared/data/real-lus")
  public static var available: Bool { FileManager.default.fileExists(atPath: folder.path) }
  /// The reason a test names when it is skipped.
  public static let absent: Comment = "skipped: ../shared/data/real-lus is absent"
}
