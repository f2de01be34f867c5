import Foundation
import Media
import Platform

enum RoiFileError: Error, CustomStringConvertible {
  case unreadable(String)
  case missingColumn(file: String, column: String)
  case badRow(file: String, row: Int, reason: String)

  var description: String {
    switch self {
    case .unreadable(let file): "\(file): cannot be read as CSV or JSON"
    case .missingColumn(let file, let column): "\(file): no '\(column)' column"
    case .badRow(let file, let row, let reason): "\(file), row \(row): \(reason)"
    }
  }
}

/// ROI files for `pleura roi import`: CSV or a JSON array, videos by id or by original file name.
enum RoiFile {
  static func read(_ url: URL, defaultAuthor: String, catalog: Catalog) throws -> [RoiEntry] {
    guard let data = FileManager.default.contents(atPath: url.path) else {
      throw RoiFileError.unreadable(url.path)
    }
    let records =
      try url.pathExtension.lowercased() == "json"
      ? jsonRecords(data, file: url.path) : csvRecords(data, file: url.path)
    return try catalog.database.read { db in
      try records.map { row, fields in
        func int(_ key: String) throws -> Int? {
          let text = (fields[key] ?? "").trimmingCharacters(in: .whitespaces)
          if text.isEmpty { return nil }
          guard let value = Int(text) else {
            throw RoiFileError.badRow(
              file: url.path, row: row, reason: "\(key) '\(text)' is not a whole number")
          }
          return value
        }
        func required(_ key: String) throws -> Int {
          guard let value = try int(key) else {
            throw RoiFileError.badRow(file: url.path, row: row, reason: "no \(key)")
          }
          return value
        }
        let videoText = (fields["video"] ?? "").trimmingCharacters(in: .whitespaces)
        let videoID: String
        do {
          videoID = try EntityLookup.resolve(name: videoText, as: [.sourceVideo], in: db).id
        } catch let error as CatalogError {
          throw RoiFileError.badRow(file: url.path, row: row, reason: error.description)
        }
        let rect = PixelRect(
          x: try required("x"), y: try required("y"), width: try required("width"),
          height: try required("height"))
        let entry = RoiEntry(
          video: videoID, conversion: fields["conversion"] ?? "", rect: rect,
          frameStart: try int("frame_start") ?? -1, frameEnd: try int("frame_end") ?? -1,
          author: (fields["author"]).flatMap { $0.isEmpty ? nil : $0 } ?? defaultAuthor,
          confidence: try confidence(fields["confidence"], file: url.path, row: row))
        do {
          try RoiPlugin.validate(entry, in: db)
        } catch {
          throw RoiFileError.badRow(file: url.path, row: row, reason: String(describing: error))
        }
        return entry
      }
    }
  }

  /// A suggestion's confidence as `roi export` writes it (empty for ROIs a person drew): a number in
  /// 0...1, so that a low-confidence box stays marked as such after a round trip through a file.
  static func confidence(_ field: String?, file: String, row: Int) throws -> Double? {
    let text = (field ?? "").trimmingCharacters(in: .whitespaces)
    if text.isEmpty { return nil }
    guard let value = Double(text), value.isFinite, (0...1).contains(value) else {
      throw RoiFileError.badRow(file: file, row: row, reason: "confidence '\(text)' is not a number in 0...1")
    }
    return value
  }

  static func csvRecords(_ data: Data, file: String) throws -> [(Int, [String: String])] {
    let rows = CSV.parse(String(decoding: data, as: UTF8.self))
    guard let header = rows.first?.fields.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) else {
      throw RoiFileError.missingColumn(file: file, column: "video")
    }
    for column in ["video", "x", "y", "width", "height"] where !header.contains(column) {
      throw RoiFileError.missingColumn(file: file, column: column)
    }
    return rows.dropFirst().filter { !$0.fields.allSatisfy(\.isEmpty) }.map { row in
      var fields: [String: String] = [:]
      for (index, name) in header.enumerated() where index < row.fields.count {
        fields[name] = row.fields[index]
      }
      return (row.line, fields)
    }
  }

  static func jsonRecords(_ data: Data, file: String) throws -> [(Int, [String: String])] {
    guard let array = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
      throw RoiFileError.unreadable(file)
    }
    return array.enumerated().map { index, object in
      var fields: [String: String] = [:]
      for (key, value) in object {
        let name = key == "frameStart" ? "frame_start" : key == "frameEnd" ? "frame_end" : key
        fields[name] = value is NSNull ? "" : "\(value)"
      }
      return (index + 1, fields)
    }
  }

  static func csvField(_ text: String) -> String {
    text.contains(",") || text.contains("\"") || text.contains("\n")
      ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
  }
}
