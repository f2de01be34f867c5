/// Why a bag could not be written, read or verified.
///
/// Every case names the archive entry or file involved and what is wrong with it, so that the
/// message alone tells a person at the receiving site why a bundle was refused. Reading never
/// leaves anything behind: by the time one of these is thrown, the staging folder is gone.
import Primitives

public enum BagError: Error, Sendable, Equatable {
  // MARK: - The archive itself

  /// The input is not a tar archive (optionally zstd- or gzip-compressed).
  case notAnArchive(reason: String)
  /// The archive is damaged or truncated; `entry` is the last entry reached, if any.
  case corruptArchive(entry: String?, reason: String)
  /// The archive holds more entries than the reader allows.
  case tooManyEntries(limit: Int)
  /// Extracting would write more bytes than the reader allows (a decompression bomb, or a bag
  /// too large for this import).
  case extractedBytesLimitExceeded(entry: String, limit: Int64)
  /// An entry's data is larger than its tar header declared.
  case entryLargerThanDeclared(entry: String, declared: Int64)
  /// The payload grows past the byte count `Payload-Oxum` declared, at `entry`.
  case payloadExceedsOxum(entry: String, declared: Int64)
  /// Extracting `entry` (or the rest of the declared payload) needs more space than the device
  /// holding the staging folder has free, keeping the reserve.
  case insufficientSpace(entry: String, needed: Int64, available: Int64, folder: String)
  /// The reader's caller refused an entry from its header, before extracting it (a file its
  /// kind of bag never holds, or larger than its kind allows).
  case refusedEntry(entry: String, reason: String)

  // MARK: - Hostile entries

  /// An entry's name could place a file outside the bag, or is not a plain relative path.
  case unsafeEntryName(entry: String, reason: String)
  /// An entry is a symlink, hard link, device, FIFO or socket: only files and folders are allowed.
  case unsupportedEntryType(entry: String, type: String)
  /// Two entries have the same name (or names the file system cannot tell apart).
  case duplicateEntry(entry: String)

  // MARK: - BagIt structure and checksums

  /// The bag lacks something RFC 8493 requires, or declares something this reader cannot check.
  case invalidBag(reason: String)
  /// A tag file (`bagit.txt`, `bag-info.txt`, a manifest) cannot be parsed.
  case invalidTagFile(file: String, line: Int, reason: String)
  /// A file's SHA-256 differs from the one its manifest lists.
  case checksumMismatch(file: String, expected: String, actual: String)
  /// A payload file is in the archive but in no manifest entry.
  case fileNotInManifest(file: String)
  /// A manifest lists a file that the archive does not contain.
  case fileMissing(file: String, manifest: String)
  /// The payload's byte or file count differs from `Payload-Oxum` in `bag-info.txt`.
  case payloadOxumMismatch(declared: String, actual: String)

  // MARK: - Writing

  /// A payload path given to the writer is not one the reader would accept.
  case invalidPayloadPath(path: String, reason: String)
  /// A source file changed size while it was being archived.
  case sourceChanged(path: String, expected: Int64, actual: Int64)
  /// The writer has already finished or been cancelled.
  case writerClosed
  /// The archive file to create already exists.
  case archiveExists(path: String)

  // MARK: - Environment

  /// A file-system or libarchive call failed for a reason outside the bag's content.
  case io(path: String, reason: String)
}

extension BagError: CustomStringConvertible {
  public var description: String {
    // Reasons may quote what an archive holds (a tag file's line, libarchive's words about an
    // entry): their control characters are escaped too, whoever built them.
    switch self {
    case .notAnArchive(let reason):
      "Not a tar, tar.zst or tar.gz archive: \(reason.escaped(limit: nil))."
    case .corruptArchive(let entry?, let reason):
      "The archive is damaged or truncated at entry '\(entry.escapedForMessage)': \(reason.escaped(limit: nil))."
    case .corruptArchive(nil, let reason):
      "The archive is damaged or truncated: \(reason.escaped(limit: nil))."
    case .tooManyEntries(let limit):
      "The archive has more than \(limit) entries, the most this import allows."
    case .extractedBytesLimitExceeded(let entry, let limit):
      "Extracting entry '\(entry.escapedForMessage)' would exceed the limit of \(limit) bytes for this bag."
    case .entryLargerThanDeclared(let entry, let declared):
      "Entry '\(entry.escapedForMessage)' holds more data than the \(declared) bytes declared for it."
    case .payloadExceedsOxum(let entry, let declared):
      "The payload grows past the \(declared) bytes bag-info.txt declares (Payload-Oxum) at entry '\(entry.escapedForMessage)'."
    case .insufficientSpace(let entry, let needed, let available, let folder):
      "Extracting entry '\(entry.escapedForMessage)' needs \(needed) bytes, but the device holding "
        + "\(folder.escapedForMessage) has only \(available) bytes free to spare; nothing was extracted past it."
    case .refusedEntry(let entry, let reason):
      "Entry '\(entry.escapedForMessage)' is refused before extraction: \(reason.escaped(limit: nil))."
    case .unsafeEntryName(let entry, let reason):
      "Entry '\(entry.escapedForMessage)' has an unsafe name: \(reason.escaped(limit: nil))."
    case .unsupportedEntryType(let entry, let type):
      "Entry '\(entry.escapedForMessage)' is a \(type); a bag may only hold regular files and folders."
    case .duplicateEntry(let entry):
      "Entry '\(entry.escapedForMessage)' appears more than once, or collides with another entry's name."
    case .invalidBag(let reason):
      "Not a valid BagIt bag: \(reason.escaped(limit: nil))."
    case .invalidTagFile(let file, let line, let reason):
      "Tag file '\(file.escapedForMessage)', line \(line): \(reason.escaped(limit: nil))."
    case .checksumMismatch(let file, let expected, let actual):
      "Checksum mismatch for '\(file.escapedForMessage)': the manifest says SHA-256 \(expected), the file has \(actual)."
    case .fileNotInManifest(let file):
      "Payload file '\(file.escapedForMessage)' is not listed in manifest-sha256.txt."
    case .fileMissing(let file, let manifest):
      "'\(file.escapedForMessage)' is listed in \(manifest) but is not in the archive."
    case .payloadOxumMismatch(let declared, let actual):
      "Payload-Oxum mismatch: bag-info.txt declares \(declared) (bytes.files), the payload is \(actual)."
    case .invalidPayloadPath(let path, let reason):
      "Payload path '\(path.escapedForMessage)' is not allowed: \(reason.escaped(limit: nil))."
    case .sourceChanged(let path, let expected, let actual):
      "'\(path.escapedForMessage)' changed while being archived: expected \(expected) bytes, read \(actual)."
    case .writerClosed:
      "The bag writer has already finished or been cancelled."
    case .archiveExists(let path):
      "'\(path.escapedForMessage)' already exists; a bag is never written over an existing file."
    case .io(let path, let reason):
      "I/O error on '\(path.escapedForMessage)': \(reason.escaped(limit: nil))."
    }
  }
}
