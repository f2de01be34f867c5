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
public enum RealClips {
  public static let folder = PackageRoot.url.deletingLastPathComponent().appendingPathComponent(
    "shared/data/real-lus")
  public static var available: Bool { FileManager.default.fileExists(atPath: folder.path) }
  /// The reason a test names when it is skipped.
  public static let absent: Comment = "skipped: ../shared/data/real-lus is absent"
}
