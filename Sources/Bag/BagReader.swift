import CArchive
import Crypto
import Foundation
import Primitives

/// Extracts a bag archive (`.tar.zst`, `.tar.gz` or plain tar, detected by content) into a private
/// staging folder and verifies it completely before handing it over.
///
/// Extraction streams: each entry is checked (name, type, duplicates, size bounds) before a byte of
/// it is written, written in 1 MiB chunks and hashed on the way, so memory does not grow with the
/// bag. Then the bag is verified: `bagit.txt`, `data/`, every manifest line present with a
/// matching checksum, no payload file missing from `manifest-sha256.txt`, Payload-Oxum, and the
/// tag manifest. On any error the staging folder is removed before the error is thrown.
///
/// The archive must hold one top-level folder containing the bag (as `BagWriter` writes it).
///
/// ```swift
/// let reader = BagReader(limits: BagLimits(maxExtractedBytes: 2 << 30))
/// try reader.verify(archive: url)            // check only
/// let bag = try reader.extract(archive: url)  // check and keep
/// defer { try? bag.remove() }
/// ```
public struct BagReader: Sendable {
  public var limits: BagLimits
  /// Where the staging folder is created (as `pleura-bag-XXXXXX`).
  public var stagingParent: URL
  /// Starts writing each extracted file to disk as soon as it is complete, for callers that keep
  /// the files and fsync them (an import moves them into the blob store): the disk then works
  /// while the next entries are decompressed, instead of all at once at the end.
  public var startsWriteback = false
  /// Called on the extracting thread with each file's bag-relative path and staged location as
  /// soon as the file is complete, before the bag is verified: a caller may start reading it
  /// early (an import decodes its catalog files while the blobs are extracted), but must treat
  /// it as unverified until `extract` returns, and stop using it if `extract` throws.
  public var onFileExtracted: (@Sendable (String, URL) -> Void)?
  /// Called on the extracting thread with each file's bag-relative path and the size its header
  /// declares, before a byte of it is written: a caller that knows what its bags hold (an import
  /// of Pleura bundles) refuses anything else here, by throwing.
  public var admit: (@Sendable (String, Int64) throws(BagError) -> Void)?

  public init(limits: BagLimits = BagLimits(), stagingParent: URL = FileManager.default.temporaryDirectory) {
    self.limits = limits
    self.stagingParent = stagingParent
  }

  /// Extracts and verifies `archive`; the caller owns the returned staging folder.
  public func extract(archive: URL) throws(BagError) -> VerifiedBag {
    let fd = open(archive.path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw .io(path: archive.path, reason: String(cString: strerror(errno))) }
    defer { close(fd) }
    return try extract(fileDescriptor: fd, name: archive.path)
  }

  /// Extracts and verifies the archive read from `fileDescriptor`, which may be a pipe or socket
  /// (e.g. standard input); `name` only appears in messages. The descriptor is not closed.
  public func extract(fileDescriptor fd: Int32, name: String) throws(BagError) -> VerifiedBag {
    let input = try ArchiveInput(fileDescriptor: fd, path: name)
    let staging = try StagingDirectory(in: stagingParent)
    do throws(BagError) {
      var extraction = Extraction(staging: staging, limits: limits, startsWriteback: startsWriteback)
      extraction.onFileExtracted = onFileExtracted
      extraction.admit = admit
      try extraction.run(input)
      return try extraction.verify()
    } catch {
      staging.remove()
      throw error
    }
  }

  /// Checks `archive` as `extract` does and removes the staging folder; returns the bag-info
  /// fields and payload list of the verified bag.
  @discardableResult
  public func verify(archive: URL) throws(BagError) -> (info: BagInfo, payload: [VerifiedBag.PayloadFile]) {
    let bag = try extract(archive: archive)
    try bag.remove()
    return (bag.info, bag.payload)
  }
}

/// One extraction in progress: what has been written so far and the bounds it must stay in.
private struct Extraction {
  let staging: StagingDirectory
  let limits: BagLimits
  let startsWriteback: Bool
  var onFileExtracted: (@Sendable (String, URL) -> Void)?
  var admit: (@Sendable (String, Int64) throws(BagError) -> Void)?
  var bagName: String?
  var entries = 0
  var extracted: Int64 = 0
  var payloadWritten: Int64 = 0
  /// Payload bytes declared by Payload-Oxum, once bag-info.txt has been seen.
  var declaredPayload: Int64?
  /// The payload files manifest-sha256.txt lists, once it has been seen.
  var listed: Set<String>?
  var seen = Set<String>()
  var folders: Set<String> = [""]
  /// Bag-relative path → (size, SHA-256) of every extracted file.
  var files: [String: (size: Int64, sha256: String)] = [:]

  init(staging: StagingDirectory, limits: BagLimits, startsWriteback: Bool) {
    self.staging = staging
    self.limits = limits
    self.startsWriteback = startsWriteback
  }

  // MARK: - Extraction

  mutating func run(_ input: ArchiveInput) throws(BagError) {
    let buffers = (0..<2).map { _ in UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
    }
    let worker = ChunkWorker()
    defer {
      worker.wait()
      for buffer in buffers { buffer.deallocate() }
    }
    while let entry = try input.next() {
      entries += 1
      if entries > limits.maxEntries { throw .tooManyEntries(limit: limits.maxEntries) }
      let parts = try location(of: entry)
      let relative = parts.joined(separator: "/")
      guard seen.insert(relative).inserted else { throw .duplicateEntry(entry: entry.rawName) }
      if entry.fileType == pleura_ae_ifdir() {
        if !parts.isEmpty { try staging.makeFolder(parts, entry: entry.rawName) }
        for depth in 0...parts.count { folders.insert(parts[..<depth].joined(separator: "/")) }
        continue
      }
      guard !parts.isEmpty else {
        throw .unsafeEntryName(entry: entry.rawName, reason: "the bag's top-level entry must be a folder")
      }
      for depth in 0..<parts.count { folders.insert(parts[..<depth].joined(separator: "/")) }
      try extractFile(entry, parts: parts, relative: relative, from: input, buffers: buffers, worker: worker)
      onFileExtracted?(relative, staging.url.appending(path: relative))
      if relative == "bag-info.txt" {
        // When bag-info.txt precedes the payload, its Payload-Oxum bounds the payload at once,
        // and the space it needs is checked before any of it is written.
        declaredPayload = try readInfo().oxum?.bytes
        if let declaredPayload { try checkSpace(name: relative, needed: declaredPayload - payloadWritten) }
      }
      if relative == "manifest-sha256.txt" {
        // When the manifest precedes the payload, a file it does not list is refused at its header.
        listed = Set(try readManifest(relative).entries.map(\.path))
      }
    }
  }

  /// Checks the entry's type and name; returns its path components below the bag folder.
  mutating func location(of entry: ArchiveInput.Entry) throws(BagError) -> [String] {
    if let target = entry.hardlink {
      throw .unsupportedEntryType(entry: entry.rawName, type: "hard link to '\(target.escapedForMessage)'")
    }
    let type = entry.fileType
    if type != pleura_ae_ifreg() && type != pleura_ae_ifdir() {
      let described: String
      switch type {
      case pleura_ae_iflnk(): described = "symbolic link to '\((entry.symlink ?? "").escapedForMessage)'"
      case pleura_ae_ifchr(): described = "character device"
      case pleura_ae_ifblk(): described = "block device"
      case pleura_ae_ififo(): described = "FIFO"
      case pleura_ae_ifsock(): described = "socket"
      default: described = "file of unknown type (mode 0o\(String(type, radix: 8)))"
      }
      throw .unsupportedEntryType(entry: entry.rawName, type: described)
    }
    guard let name = entry.name else {
      throw .unsafeEntryName(entry: entry.rawName, reason: "it is not valid UTF-8")
    }
    let parts: [String]
    switch BagPath.components(of: name, allowTrailingSlash: type == pleura_ae_ifdir()) {
    case .success(let p): parts = p
    case .failure(let unsafe): throw .unsafeEntryName(entry: name, reason: unsafe.reason)
    }
    if let bagName, parts[0] != bagName {
      throw .unsafeEntryName(entry: name, reason: "it is outside the bag folder '\(bagName)/'")
    }
    bagName = parts[0]
    return Array(parts.dropFirst())
  }

  /// Streams one regular file into staging, enforcing every byte bound as it goes. Chunks are
  /// hashed and written by `worker` while the next one is decompressed into the other buffer.
  mutating func extractFile(
    _ entry: ArchiveInput.Entry, parts: [String], relative: String, from input: ArchiveInput,
    buffers: [UnsafeMutableRawBufferPointer], worker: ChunkWorker
  ) throws(BagError) {
    let name = entry.rawName
    let isPayload = parts[0] == "data" && parts.count > 1
    guard let declared = entry.size else {
      throw .corruptArchive(entry: name, reason: "the entry has no size in its header")
    }
    // What the entry is comes first (a file no manifest lists, one the caller's kind of bag never
    // holds), then whether its size fits: each refusal then names the real problem.
    if isPayload, let listed, !listed.contains(relative) { throw .fileNotInManifest(file: relative) }
    if !isPayload && declared > limits.maxBytes(ofTagFile: relative) {
      throw .extractedBytesLimitExceeded(entry: name, limit: limits.maxBytes(ofTagFile: relative))
    }
    try admit?(relative, declared)
    try checkBounds(name, adding: declared, isPayload: isPayload)
    // With Payload-Oxum known, the rest of the payload must fit; else at least this entry.
    let rest = isPayload ? (declaredPayload.map { $0 - payloadWritten } ?? declared) : declared
    try checkSpace(name: name, needed: max(declared, rest))
    let fd = try staging.createFile(parts, entry: name)
    worker.start(writingTo: fd)
    defer {
      worker.wait()
      close(fd)
    }
    var written: Int64 = 0
    var current = 0
    while true {
      let n = try input.read(into: buffers[current])
      let failure = worker.wait()
      guard failure == 0 else {
        throw .io(path: "\(staging.url.path)/\(relative)", reason: String(cString: strerror(failure)))
      }
      if n == 0 { break }
      written += Int64(n)
      if written > declared { throw .entryLargerThanDeclared(entry: name, declared: declared) }
      try checkBounds(name, adding: Int64(n), isPayload: isPayload)
      extracted += Int64(n)
      if isPayload { payloadWritten += Int64(n) }
      worker.submit(UnsafeRawBufferPointer(rebasing: buffers[current][0..<n]))
      current ^= 1
    }
    guard written == declared else {
      throw .corruptArchive(
        entry: name, reason: "the entry holds \(written) of the \(declared) bytes its header declares")
    }
    if startsWriteback { worker.startWriteback() }
    files[relative] = (written, worker.digest())
  }

  /// Refuses to write `needed` bytes more when the device holding staging would keep less than
  /// the reserve free.
  func checkSpace(name: String, needed: Int64) throws(BagError) {
    guard needed > 0, let available = DiskSpace.available(at: staging.url) else { return }
    let spare = available - limits.reserveFreeBytes
    if needed > spare {
      throw .insufficientSpace(
        entry: name, needed: needed, available: max(0, spare), folder: staging.url.path)
    }
  }

  /// Refuses `bytes` more when they would pass the caller's cap or the declared payload size.
  func checkBounds(_ entry: String, adding bytes: Int64, isPayload: Bool) throws(BagError) {
    if extracted + bytes > limits.maxExtractedBytes {
      throw .extractedBytesLimitExceeded(entry: entry, limit: limits.maxExtractedBytes)
    }
    if isPayload, let declaredPayload, payloadWritten + bytes > declaredPayload {
      throw .payloadExceedsOxum(entry: entry, declared: declaredPayload)
    }
  }

  // MARK: - Verification

  func verify() throws(BagError) -> VerifiedBag {
    guard let bagName else { throw .invalidBag(reason: "the archive is empty") }
    try checkDeclaration()
    guard folders.contains("data") else { throw .invalidBag(reason: "the data/ folder is missing") }
    let info = try readInfo()

    // Payload: manifest-sha256.txt must list exactly the files under data/, with their checksums.
    guard files["manifest-sha256.txt"] != nil else {
      throw .invalidBag(reason: "manifest-sha256.txt is missing")
    }
    let manifest = try readManifest("manifest-sha256.txt")
    var listed = Set<String>()
    for (path, checksum) in manifest.entries {
      guard path.hasPrefix("data/") else {
        throw .invalidTagFile(
          file: "manifest-sha256.txt", line: listed.count + 1, reason: "'\(path)' is not under data/")
      }
      try check(path, checksum, listedIn: "manifest-sha256.txt")
      listed.insert(path)
    }
    let payload = files.filter { $0.key.hasPrefix("data/") }
    for path in payload.keys.sorted() where !listed.contains(path) {
      throw .fileNotInManifest(file: path)
    }
    let totalBytes = payload.values.reduce(Int64(0)) { $0 + $1.size }
    if let oxum = try info.oxum, oxum.bytes != totalBytes || oxum.files != payload.count {
      throw .payloadOxumMismatch(
        declared: "\(oxum.bytes).\(oxum.files)", actual: "\(totalBytes).\(payload.count)")
    }

    // Tag files: tagmanifest-sha256.txt, when present (or required), covers what it lists.
    if files["tagmanifest-sha256.txt"] != nil {
      let tags = try readManifest("tagmanifest-sha256.txt")
      for (path, checksum) in tags.entries {
        try check(path, checksum, listedIn: "tagmanifest-sha256.txt")
      }
    } else if limits.requireTagManifest {
      throw .invalidBag(reason: "tagmanifest-sha256.txt is missing")
    }
    try checkOtherManifests()

    let list = payload.map {
      VerifiedBag.PayloadFile(path: $0.key, size: $0.value.size, sha256: $0.value.sha256)
    }
    return VerifiedBag(
      root: staging.url, name: bagName, info: info, payload: list.sorted { $0.path < $1.path })
  }

  /// `bagit.txt`: the BagIt version (0.97 or 1.x) and UTF-8 tag files.
  func checkDeclaration() throws(BagError) {
    guard files["bagit.txt"] != nil else { throw .invalidBag(reason: "bagit.txt is missing") }
    let declaration = try BagInfo(parsing: try readTag("bagit.txt"), file: "bagit.txt")
    guard let version = declaration["BagIt-Version"] else {
      throw .invalidTagFile(file: "bagit.txt", line: 1, reason: "BagIt-Version is missing")
    }
    guard version == "0.97" || version.hasPrefix("1.") else {
      throw .invalidBag(
        reason: "BagIt-Version \(version.escapedForMessage) is not supported (0.97 and 1.x are)")
    }
    let encoding = declaration["Tag-File-Character-Encoding"] ?? ""
    guard encoding.caseInsensitiveCompare("UTF-8") == .orderedSame else {
      throw .invalidBag(
        reason: "Tag-File-Character-Encoding '\(encoding.escapedForMessage)' is not supported (UTF-8 is)")
    }
  }

  /// Checks one manifest line against what was extracted.
  func check(_ path: String, _ checksum: String, listedIn manifest: String) throws(BagError) {
    guard let file = files[path] else { throw .fileMissing(file: path, manifest: manifest) }
    guard file.sha256 == checksum else {
      throw .checksumMismatch(file: path, expected: checksum, actual: file.sha256)
    }
  }

  /// Other algorithms' manifests (e.g. `manifest-sha512.txt` from bagit-python) must also hold;
  /// their files are hashed again from staging, since only SHA-256 is computed while extracting.
  func checkOtherManifests() throws(BagError) {
    for name in files.keys.sorted() where !name.contains("/") {
      let kind =
        name.hasPrefix("manifest-") ? "manifest-" : name.hasPrefix("tagmanifest-") ? "tagmanifest-" : nil
      guard let kind, name.hasSuffix(".txt") else { continue }
      let algorithm = String(name.dropFirst(kind.count).dropLast(4))
      if algorithm == "sha256" { continue }
      guard let hash = ManifestAlgorithm(rawValue: algorithm) else {
        throw .invalidBag(reason: "\(name) uses '\(algorithm)', which this reader cannot check")
      }
      let manifest = try readManifest(name, hexDigits: hash.hexDigits)
      var listed = Set<String>()
      for (path, checksum) in manifest.entries {
        guard files[path] != nil else { throw .fileMissing(file: path, manifest: name) }
        let actual = try hash.hexDigest(of: staging.url.appending(path: path).path)
        guard actual == checksum else {
          throw .checksumMismatch(file: path, expected: checksum, actual: actual)
        }
        listed.insert(path)
      }
      if kind == "manifest-" {
        for path in files.keys.sorted() where path.hasPrefix("data/") && !listed.contains(path) {
          throw .fileNotInManifest(file: path)
        }
      }
    }
  }

  // MARK: - Tag files

  func readTag(_ name: String) throws(BagError) -> String {
    let data: Data
    do {
      data = try Data(contentsOf: staging.url.appending(path: name))
    } catch {
      throw .io(path: name, reason: "\(error)")
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw .invalidTagFile(file: name, line: 1, reason: "the file is not valid UTF-8")
    }
    return text
  }

  func readInfo() throws(BagError) -> BagInfo {
    guard files["bag-info.txt"] != nil else { return BagInfo() }
    return try BagInfo(parsing: try readTag("bag-info.txt"))
  }

  func readManifest(_ name: String, hexDigits: Int = 64) throws(BagError) -> Manifest {
    try Manifest(parsing: try readTag(name), file: name, hexDigits: hexDigits)
  }
}
