import Foundation

/// What a catalog row may hold, one set of rules for every way a row arrives: typed by a user
/// (`ingest`, `roi set`, `init`, a recipe), or read from another site's bundle (`import`). A
/// value that local input could not store is refused from a bundle too, so that a re-signed
/// bundle cannot bring in a patient code with control characters or a "file name" that is a path.
///
/// ```swift
/// try RecordRules.fileName("scan-01.mp4")          // fine
/// try RecordRules.fileName("../../etc/passwd")      // throws: it names folders
/// ```
public enum RecordRules {
  /// A value that breaks a rule: which field, the value, and the rule as a phrase.
  public struct Violation: Error, CustomStringConvertible, Equatable {
    public let field: String
    public let value: String
    public let rule: String
    public var description: String { "\(field) '\(value.escapedForMessage)' \(rule)" }
  }

  public static let maxFileNameBytes = 255
  public static let maxNotesCharacters = 4000

  /// A source video's file name: a file's base name as a file system gives it (the folders above
  /// may name a person and are never stored), without control characters.
  public static func fileName(_ name: String) throws {
    let rule =
      "must be a file's name (1-\(maxFileNameBytes) bytes, no '/', no control characters, not '.' or '..')"
    guard !name.isEmpty, name.utf8.count <= maxFileNameBytes, !name.contains("/"), name != ".", name != "..",
      !name.unicodeScalars.contains(where: isControl)
    else { throw Violation(field: "file name", value: name, rule: rule) }
  }

  /// Free-text notes: printable text with tabs and line breaks, at most 4,000 characters.
  public static func notes(_ text: String) throws {
    guard text.count <= maxNotesCharacters,
      !text.unicodeScalars.contains(where: { isControl($0) && !["\t", "\n", "\r"].contains($0) })
    else {
      throw Violation(
        field: "notes", value: text,
        rule:
          "must be at most \(maxNotesCharacters) characters without control characters (tabs and line breaks are fine)"
      )
    }
  }

  /// Who drew an ROI.
  public static func author(_ text: String) throws {
    try printable("author", text, maxCharacters: 64)
  }

  /// A site's name, which travels in every bundle.
  public static func siteName(_ text: String) throws {
    try printable("site name", text, maxCharacters: 200)
  }

  /// A dataset's name (from its recipe): letters, digits, `_`, `-` and `.`.
  public static func datasetName(_ text: String) throws {
    guard !text.isEmpty, text.count <= 64,
      text.unicodeScalars.allSatisfy({
        CharacterSet.alphanumerics.contains($0) || "_-.".unicodeScalars.contains($0)
      })
    else {
      throw Violation(
        field: "dataset name", value: text, rule: "must be 1-64 letters, digits, '_', '-' or '.'")
    }
  }

  /// A patient code: a pseudonym (see ``PatientCode``).
  public static func patientCode(_ code: String) throws {
    do { try PatientCode.validate(code) } catch {
      throw Violation(
        field: "patient code", value: code,
        rule: "is not a pseudonym: use 1-64 letters, digits, '.', '_' or '-' (no spaces, no names)")
    }
  }

  /// Short text the platform writes itself (a container or codec name, a plugin name, a time):
  /// printable, bounded.
  public static func word(_ field: String, _ text: String) throws {
    try printable(field, text, maxCharacters: 200)
  }

  /// An ROI rectangle and frame range in a frame of `width` x `height` with `frames` frames: a
  /// positive size inside the frame, a frame range inside the video.
  public static func roiFits(
    _ rect: PixelRect, frameStart: Int?, frameEnd: Int?, width: Int, height: Int, frames: Int
  ) -> RoiMisfit? {
    // Bounded before any sum: x + width must not overflow for a hostile value.
    guard [rect.x, rect.y, rect.width, rect.height].allSatisfy({ (-(1 << 30)...(1 << 30)).contains($0) }),
      rect.width > 0, rect.height > 0, rect.x >= 0, rect.y >= 0, rect.maxX <= width, rect.maxY <= height
    else { return .outsideFrame }
    if frameStart != nil || frameEnd != nil {
      guard let start = frameStart, let end = frameEnd, start >= 0, end >= start, end < frames else {
        return .badFrames
      }
    }
    return nil
  }

  public enum RoiMisfit: Sendable { case outsideFrame, badFrames }

  static func printable(_ field: String, _ text: String, maxCharacters: Int) throws {
    guard !text.isEmpty, text.count <= maxCharacters, !text.unicodeScalars.contains(where: isControl) else {
      throw Violation(field: field, value: text, rule: "must be 1-\(maxCharacters) printable characters")
    }
  }

  /// C0 and C1 control characters and DEL: they would let stored text rewrite a terminal.
  static func isControl(_ scalar: Unicode.Scalar) -> Bool {
    scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value)
  }
}
