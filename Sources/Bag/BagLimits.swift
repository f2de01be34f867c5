/// Bounds on what `BagReader` extracts, so that a hostile or broken archive cannot fill the disk
/// or exhaust the reader. Whatever reaches a bound is refused with a `BagError`.
///
/// The byte bounds apply while extracting, before any checksum is known: writing stops at the
/// first byte past `maxExtractedBytes`, past an entry's tar header size, or past the payload size
/// `Payload-Oxum` declares when `bag-info.txt` comes before the payload.
public struct BagLimits: Sendable, Hashable {
  /// The most bytes written to staging in total (payload plus tag files).
  public var maxExtractedBytes: Int64
  /// The most entries (files and folders) in the archive.
  public var maxEntries: Int
  /// The largest tag file (anything outside `data/`), which is read into memory to be parsed.
  public var maxTagFileBytes: Int64
  /// Whether a bag without `tagmanifest-sha256.txt` is refused. BagIt makes tag manifests
  /// optional; Pleura's bundles always have one.
  public var requireTagManifest: Bool

  public init(
    maxExtractedBytes: Int64 = 64 << 30, maxEntries: Int = 1_000_000, maxTagFileBytes: Int64 = 256 << 20,
    requireTagManifest: Bool = true
  ) {
    self.maxExtractedBytes = maxExtractedBytes
    self.maxEntries = maxEntries
    self.maxTagFileBytes = maxTagFileBytes
    self.requireTagManifest = requireTagManifest
  }
}
