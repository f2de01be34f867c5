import Foundation

/// One table of a bundle: its JSON file under `data/catalog/` and the rows of `BundleContent` it
/// holds. `BundleContent.tables` lists them all, so writing, reading and the RO-Crate file list
/// cannot disagree about which files a bundle has.
struct BundleTable {
  let fileName: String
  /// True for tables added after the first bundle format: a bundle written before them has no
  /// such file, and reads as having no such rows.
  let addedLater: Bool
  let rowCount: (BundleContent) -> Int
  let encode: (BundleContent, JSONEncoder) throws -> Data
  /// Decodes the file's rows into the content and returns how many there were.
  let decode: (Data, inout BundleContent) throws -> Int

  init<Row: Codable>(
    _ fileName: String, _ rows: WritableKeyPath<BundleContent, [Row]>, addedLater: Bool = false
  ) {
    self.fileName = fileName
    self.addedLater = addedLater
    rowCount = { $0[keyPath: rows].count }
    encode = { content, encoder in try encoder.encode(content[keyPath: rows]) }
    decode = { data, content in
      content[keyPath: rows] = try JSONDecoder().decode([Row].self, from: data)
      return content[keyPath: rows].count
    }
  }
}
