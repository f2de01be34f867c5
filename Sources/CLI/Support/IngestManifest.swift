import Foundation
import Media
import Platform

/// Problems in an ingest manifest, each naming the file and line.
enum ManifestError: Error, CustomStringConvertible {
  case unreadable(String)
  case missingColumn(file: String, column: String)
  case badRow(file: String, line: Int, reason: String)
  case conflictingLabels(file: String, path: String, firstLine: Int, line: Int)

  var description: String {
    switch self {
    case .unreadable(let file): "\(file): cannot be read"
    case .missingColumn(let file, let column):
      "\(file): the header has no '\(column)' column (expected path,patient,label[,notes])"
    case .badRow(let file, let line, let reason): "\(file), line \(line): \(reason)"
    case .conflictingLabels(let file, let path, let first, let line):
      "\(file), line \(line): \(path) is listed again with another label or patient than on line \(first)"
    }
  }
}

/// Reads `path,patient,label[,notes]` manifests; every row is checked before anything is stored.
enum IngestManifest {
  static func read(_ url: URL) throws -> [IngestItem] {
    guard let data = FileManager.default.contents(atPath: url.path) else {
      throw ManifestError.unreadable(url.path)
    }
    let file = url.path
    let rows = CSV.parse(String(decoding: data, as: UTF8.self))
    guard let header = rows.first?.fields.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) else {
      throw ManifestError.missingColumn(file: file, column: "path")
    }
    var columns: [String: Int] = [:]
    for name in ["path", "patient", "label", "notes"] {
      if let index = header.firstIndex(of: name) {
        columns[name] = index
      } else if name != "notes" {
        throw ManifestError.missingColumn(file: file, column: name)
      }
    }
    let folder = url.deletingLastPathComponent()
    var items: [IngestItem] = []
    var firstSeen: [String: (line: Int, item: IngestItem)] = [:]
    for row in rows.dropFirst() where !row.fields.allSatisfy({ $0.isEmpty }) {
      func field(_ name: String) throws -> String {
        guard let index = columns[name] else { return "" }
        guard index < row.fields.count else {
          throw ManifestError.badRow(file: file, line: row.line, reason: "no value for '\(name)'")
        }
        return row.fields[index].trimmingCharacters(in: .whitespaces)
      }
      let path = try field("path")
      guard !path.isEmpty else {
        throw ManifestError.badRow(file: file, line: row.line, reason: "empty path")
      }
      let item = IngestItem(
        path: path.hasPrefix("/") ? path : folder.appendingPathComponent(path).standardizedFileURL.path,
        patient: try field("patient"), label: try field("label"), notes: try field("notes"))
      do {
        _ = try SlidingLabel(validating: item.label)
        try PatientCode.validate(item.patient)
      } catch {
        throw ManifestError.badRow(file: file, line: row.line, reason: String(describing: error))
      }
      if let earlier = firstSeen[item.path] {
        guard earlier.item.label == item.label, earlier.item.patient == item.patient else {
          throw ManifestError.conflictingLabels(
            file: file, path: path, firstLine: earlier.line, line: row.line)
        }
        continue  // the same file twice with the same facts: ingest it once
      }
      firstSeen[item.path] = (row.line, item)
      items.append(item)
    }
    guard !items.isEmpty else {
      throw ManifestError.badRow(file: file, line: 1, reason: "no rows after the header")
    }
    return items
  }
}

/// Minimal RFC 4180 CSV: quoted fields with doubled quotes, CRLF or LF line ends.
enum CSV {
  struct Row {
    var line: Int
    var fields: [String]
  }

  static func parse(_ text: String) -> [Row] {
    var rows: [Row] = []
    var fields: [String] = []
    var field = ""
    var inQuotes = false
    var line = 1
    var rowLine = 1
    var characters = text.makeIterator()
    var pending: Character? = nil
    func endRow() {
      fields.append(field)
      rows.append(Row(line: rowLine, fields: fields))
      fields = []
      field = ""
    }
    while let character = pending ?? characters.next() {
      pending = nil
      if inQuotes {
        if character == "\"" {
          if let next = characters.next() {
            if next == "\"" { field.append("\"") } else { inQuotes = false; pending = next }
          } else {
            inQuotes = false
          }
        } else {
          if character == "\n" || character == "\r\n" { line += 1 }
          field.append(character)
        }
        continue
      }
      switch character {
      case "\"": inQuotes = true
      case ",":
        fields.append(field)
        field = ""
      case "\n", "\r\n", "\r":
        endRow()
        line += 1
        rowLine = line
      default: field.append(character)
      }
    }
    if !field.isEmpty || !fields.isEmpty { endRow() }
    return rows
  }
}
