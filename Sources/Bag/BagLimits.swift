/// Bounds on what `BagReader` extracts, so that a hostile or broken archive cannot fill the disk
/// or exhaust the reader. Whatever reaches a bound is refused with a `BagError`.
///
/// The byte bounds apply to each entry's header, before a byte of it is written (a decompression
/// bomb declares its size there, or is cut off at the size it declared): the caller's total cap,
/// the size of a tag file, the payload size `Payload-Oxum` declares once `bag-info.txt` has been
/// read, the manifest's list once `manifest-sha256.txt` has been read, and the free space of the
/// device holding the staging folder.
public struct BagLimits: Sendable, Hashable {
  /// The most bytes written to staging in total (payload plus tag files).
  public var maxExtractedBytes: Int64
  /// The most entries (files and folders) in the archive.
  public var maxEntries: Int
  /// The largest manifest or tag manifest, which is read into memory to be parsed (a line per
  /// payload file).
  public var maxTagFileBytes: Int64
  /// The largest other tag file (`bagit.txt`, `bag-info.txt` and any tag file a bag adds, a few
  /// lines each), when smaller than `maxTagFileBytes`.
  public var maxInfoFileBytes: Int64
  /// Space that must stay free on the device holding the staging folder after extraction, so a
  /// bag never fills the disk the catalog is on.
  public var reserveFreeBytes: Int64
  /// Whether a bag without `tagmanifest-sha256.txt` is refused. BagIt makes tag manifests
  /// optional; Pleura's bundles always have one.
  public var requireTagManifest: Bool

  public init(
    maxExtractedBytes: Int64 = 64 << 30, maxEntries: Int = 1_000_000, maxTagFileBytes: Int64 = 256 << 20,
    maxInfoFileBytes: Int64 = 1 << 20, reserveFreeBytes: Int64 = 16 << 20, requireTagManifest: Bool = true
  ) {
    self.maxExtractedBytes = maxExtractedBytes
    self.maxEntries = maxEntries
    self.maxTagFileBytes = maxTagFileBytes
    self.maxInfoFileBytes = maxInfoFileBytes
    self.reserveFreeBytes = reserveFreeBytes
    self.requireTagManifest = requireTagManifest
  }

  /// The largest size allowed for the tag file at `path` (bag-relative, outside `data/`).
  func maxBytes(ofTagFile path: String) -> Int64 {
    let isManifest =
      (path.hasPrefix("manifest-") || path.hasPrefix("tagmanifest-")) && path.hasSuffix(".txt")
      && !path.contains("/")
    return isManifest ? maxTagFileBytes : min(maxInfoFileBytes, maxTagFileBytes)
  }
}
