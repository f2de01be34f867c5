import Foundation
import GRDB
import Platform

/// Every value of the local catalog that could identify a person or the site, with what a
/// pseudonymised export writes instead: patient codes, original file names, free-text notes,
/// ROI authors (all of the catalog, not only those of the exported rows: a dataset's list of
/// skipped videos names videos that are not exported) and site names.
struct SensitiveValues {
  enum Kind: String, Comparable {
    case patientCode = "a patient code"
    case fileName = "an original file name"
    case author = "an ROI author"
    case note = "a free-text note"
    case siteName = "a site name"

    /// When one text is several kinds, the first one's replacement is used.
    static func < (a: Kind, b: Kind) -> Bool { order(a) < order(b) }
    private static func order(_ kind: Kind) -> Int {
      switch kind {
      case .patientCode: 0
      case .fileName: 1
      case .author: 2
      case .note: 3
      case .siteName: 4
      }
    }
  }

  struct Entry {
    var value: String
    var kind: Kind
    var replacement: String
    /// Whether the final check looks for it: site names are replaced wherever they stand but
    /// not searched for, since a site may be named with a word the format itself uses ("test").
    var checked: Bool { kind != .siteName }
  }

  /// Authors that are programs or `ingest`, not people (`AnnotationAuthor.reserved`): kept as they
  /// are. (The CLI's fallback when `$USER` is unset, `unknown`, is a label word: see `formatWords`.)
  static let machineAuthors: Set<String> = AnnotationAuthor.reserved
  /// File-name stems shorter than this are too common to be told from other words.
  static let shortestStem = 8
  static let withheld = "(withheld)"

  private(set) var entries: [Entry] = []
  private var byValue: [String: Int] = [:]

  /// Words the bundle format itself is written in: a note or author that is one of them ("absent",
  /// written again as a note) names no one, and rewriting it would rewrite every label.
  static let formatWords: Set<String> = Set(
    SlidingLabel.allCases.map(\.rawValue) + Evaluation.Part.allCases.map(\.rawValue))

  /// Values whose replacement is themselves identify no one here (an imported video already
  /// named by its id): they are neither rewritten nor searched for; nor are notes and authors
  /// that are words of the format.
  mutating func add(_ value: String, _ kind: Kind, replacement: String) {
    guard !value.isEmpty, value != replacement else { return }
    if kind == .note || kind == .author, Self.formatWords.contains(value.lowercased()) { return }
    if let existing = byValue[value] {
      if kind < entries[existing].kind {
        entries[existing] = Entry(value: value, kind: kind, replacement: replacement)
      }
      return
    }
    byValue[value] = entries.count
    entries.append(Entry(value: value, kind: kind, replacement: replacement))
  }

  /// The replacement of exactly this text, if it is a sensitive value.
  func replacement(ofExactly text: String) -> String? { byValue[text].map { entries[$0].replacement } }

  /// Everything the catalog holds that a pseudonymised bundle must not carry.
  static func collect(from catalog: Catalog, pseudonymizer: Pseudonymizer) throws -> SensitiveValues {
    var values = SensitiveValues()
    try catalog.database.read { db in
      for code in try String.fetchAll(db, sql: "SELECT code FROM patient") {
        values.add(code, .patientCode, replacement: pseudonymizer.pseudonym(for: code))
      }
      for row in try Row.fetchAll(db, sql: "SELECT id, file_name, notes FROM source_video") {
        let id: String = row["id"]
        let name: String = row["file_name"]
        values.addFileName(name, replacement: renamed(name, to: id))
        if let notes: String = row["notes"] { values.add(notes, .note, replacement: withheld) }
      }
      // Authors of ROI and label versions and of workbench notes, and the workbench's accounts:
      // names of people of this site, whether or not a row of theirs is exported.
      let people = try String.fetchAll(
        db,
        sql: """
          SELECT author FROM roi_annotation UNION SELECT author FROM label_annotation
          UNION SELECT author FROM video_note UNION SELECT name FROM workbench_user
          """)
      for author in people where !machineAuthors.contains(author) {
        values.add(author, .author, replacement: pseudonymizer.pseudonym(author, kind: .author))
      }
      // Workbench notes never travel (see migration 0009); their text is checked all the same.
      for note in try String.fetchAll(db, sql: "SELECT text FROM video_note") {
        values.add(note, .note, replacement: withheld)
      }
      for name in try String.fetchAll(db, sql: "SELECT name FROM site") {
        values.add(name, .siteName, replacement: pseudonymizer.pseudonym(name, kind: .site))
      }
      // Run parameters hold what a row may not: the notes and file names of files that were
      // already in the catalog, and the authors of ROI edits that changed nothing.
      for json in try String.fetchAll(db, sql: "SELECT parameters_json FROM run") {
        for (key, value) in (try? JSONStringRewriter.strings(in: json)) ?? [] {
          switch key {
          case "notes": values.add(value, .note, replacement: withheld)
          case "author" where !machineAuthors.contains(value):
            values.add(value, .author, replacement: pseudonymizer.pseudonym(value, kind: .author))
          case "path", "fileName":
            let name = URL(fileURLWithPath: value).lastPathComponent
            values.addFileName(
              name, replacement: renamed(name, to: pseudonymizer.pseudonym(name, kind: .file)))
          default: break
          }
        }
      }
    }
    return values
  }

  /// A file name, and its stem when long enough to be told from other words.
  private mutating func addFileName(_ name: String, replacement: String) {
    add(name, .fileName, replacement: replacement)
    let stem = URL(fileURLWithPath: name).deletingPathExtension().lastPathComponent
    if stem != name, stem.count >= Self.shortestStem {
      add(
        stem, .fileName,
        replacement: URL(fileURLWithPath: replacement).deletingPathExtension().lastPathComponent)
    }
  }

  /// `name`'s extension on a new base name: `Smith_Jane.mp4` for `vid_0123` is `vid_0123.mp4`.
  static func renamed(_ name: String, to base: String) -> String {
    let ext = URL(fileURLWithPath: name).pathExtension
    return ext.isEmpty ? base : base + "." + ext
  }

  // MARK: - Matching

  /// Replaces every sensitive value found as a whole token (ASCII case-insensitively).
  func replacer() -> (String) -> String {
    let matcher = TokenMatcher(
      entries.indices.map { TokenMatcher.Needle(Array(entries[$0].value.utf8), encoding: .utf8, value: $0) })
    return { text in
      let bytes = Array(text.utf8)
      let found = matcher.replacementMatches(in: bytes)
      guard !found.isEmpty else { return text }
      var out: [UInt8] = []
      var position = 0
      for match in found {
        out += bytes[position..<match.range.lowerBound]
        let exact = String(decoding: bytes[match.range], as: UTF8.self)
        out += Array((replacement(ofExactly: exact) ?? entries[match.value].replacement).utf8)
        position = match.range.upperBound
      }
      out += bytes[position...]
      return String(decoding: out, as: UTF8.self)
    }
  }

  /// The final check: each checked value as it is, as JSON and CSV would escape it, in UTF-8 and
  /// in UTF-16 of either byte order — one automaton for all of them.
  func checkMatcher() -> TokenMatcher {
    var needles: [TokenMatcher.Needle] = []
    needles.reserveCapacity(entries.count * 3)
    for (index, entry) in entries.enumerated() where entry.checked {
      var forms = [entry.value]
      if entry.value.utf8.contains(where: {
        $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 < 0x20
      }) {
        forms.append(
          String(decoding: JSONStringRewriter.encode(entry.value).dropFirst().dropLast(), as: UTF8.self))
        forms.append(entry.value.replacingOccurrences(of: "\"", with: "\"\""))
      }
      for form in forms {
        needles.append(.init(Array(form.utf8), encoding: .utf8, value: index))
        var little: [UInt8] = []
        var big: [UInt8] = []
        little.reserveCapacity(form.utf16.count * 2)
        big.reserveCapacity(form.utf16.count * 2)
        for unit in form.utf16 {
          little += [UInt8(unit & 0xFF), UInt8(unit >> 8)]
          big += [UInt8(unit >> 8), UInt8(unit & 0xFF)]
        }
        needles.append(.init(little, encoding: .utf16LittleEndian, value: index))
        needles.append(.init(big, encoding: .utf16BigEndian, value: index))
      }
    }
    return TokenMatcher(needles)
  }
}
