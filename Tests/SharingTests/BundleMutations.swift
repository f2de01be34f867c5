import Bag
import CArchive
import Foundation
import Platform
import Primitives
import Sharing

/// One real bundle exported from site A, kept in three forms for mutation: the `.tar.zst` as
/// written, the same tar uncompressed (for header edits), and unpacked (tables, blobs, bag-info)
/// so that mutated rows can be re-signed into a new bag. Built once per test process.
actor MutationFixture {
  static let shared = MutationFixture()

  struct Bundle: Sendable {
    /// The folder holding everything below (and the unpacked bag).
    let folder: URL
    let archive: URL
    let compressed: Data
    let tar: Data
    /// Byte offsets of every header block in `tar` (pax extended headers included).
    let tarHeaders: [Int]
    let bagName: String
    /// bag-info.txt without the fields `BagWriter` computes.
    let info: [BagInfo.Field]
    /// The unpacked bag's root (`data/...` below it).
    let root: URL
    /// Payload paths relative to `data/`, sorted.
    let payload: [String]
  }

  /// One build shared by every caller: the actor is reentrant across the awaits inside, so a
  /// plain "built yet?" flag would let each concurrent test start its own export.
  private var building: Task<Bundle, any Error>?

  func bundle() async throws -> Bundle {
    if building == nil { building = Task { try await Self.build() } }
    return try await building!.value
  }

  /// The fixture's folder, removed when the test process exits (no test owns it).
  nonisolated(unsafe) private static var folderToRemove: String?

  private static func build() async throws -> Bundle {
    let a = try await SiteA.shared.catalog()
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "pleura-mutation-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    folderToRemove = folder.path
    atexit {
      if let path = MutationFixture.folderToRemove { try? FileManager.default.removeItem(atPath: path) }
    }
    let archive = folder.appendingPathComponent("demo.tar.zst")
    _ = try BundleExporter(catalog: a).export("demo@1", to: archive, options: .init())
    let bag = try BagReader(stagingParent: folder).extract(archive: archive)
    let tar = try Self.decompressed(archive)
    let shipped = try Self.keepOneShard(in: bag.root)
    return Bundle(
      folder: folder, archive: archive, compressed: try Data(contentsOf: archive), tar: tar,
      tarHeaders: Self.headerOffsets(tar), bagName: bag.name,
      info: bag.info.fields.filter { !["Payload-Oxum", "Bagging-Date", "Bag-Size"].contains($0.label) },
      root: bag.root,
      payload: bag.payload.map { String($0.path.dropFirst("data/".count)) }.filter {
        !$0.hasPrefix("blobs/") || shipped.contains(String($0.dropFirst("blobs/".count)))
      })
  }

  /// Trims the unpacked bag to the cubes of its smallest shard, as if the others had never been
  /// tiled: their cube rows and provenance edges go, their shards stay known by hash only (as
  /// blobs that did not travel are). Re-signed cases then move a quarter of the bytes, which is
  /// what lets a few thousand of them run in the regular suite; the rows stay site A's own.
  /// Returns the blobs still shipped.
  static func keepOneShard(in root: URL) throws -> Set<String> {
    let catalog = root.appending(path: "data/catalog")
    func rows(_ file: String) throws -> [[String: Any]] {
      try JSONSerialization.jsonObject(with: Data(contentsOf: catalog.appending(path: file)))
        as! [[String: Any]]
    }
    func write(_ file: String, _ rows: [[String: Any]]) throws {
      try JSONSerialization.data(withJSONObject: rows).write(to: catalog.appending(path: file))
    }
    var blobs = try rows("blob.json")
    let cubes = try rows("cube.json")
    let sizes = Dictionary(uniqueKeysWithValues: blobs.map { ($0["sha256"] as! String, $0["size"] as! Int) })
    let shards = Set(cubes.map { $0["shardSha256"] as! String })
    let kept = shards.min { (sizes[$0]!, $0) < (sizes[$1]!, $1) }!
    let keptCubes = cubes.filter { $0["shardSha256"] as! String == kept }
    let dropped = Set(cubes.map { $0["id"] as! String }).subtracting(keptCubes.map { $0["id"] as! String })
    try write("cube.json", keptCubes)
    try write(
      "run_edge.json", try rows("run_edge.json").filter { !dropped.contains($0["entityId"] as! String) })
    for index in blobs.indices where shards.contains(blobs[index]["sha256"] as! String) {
      let sha = blobs[index]["sha256"] as! String
      guard sha != kept else { continue }
      blobs[index]["stored"] = false
      try FileManager.default.removeItem(at: root.appending(path: "data/blobs/\(sha)"))
    }
    try write("blob.json", blobs)
    return Set(blobs.filter { $0["stored"] as! Bool }.map { $0["sha256"] as! String })
  }

  /// The archive's tar stream without its compression (libarchive's raw format reads it whole).
  static func decompressed(_ url: URL) throws -> Data {
    let reader = archive_read_new()!
    defer { archive_read_free(reader) }
    archive_read_support_filter_all(reader)
    archive_read_support_format_raw(reader)
    var entry: OpaquePointer?
    guard archive_read_open_filename(reader, url.path, 1 << 16) == pleura_archive_ok(),
      archive_read_next_header(reader, &entry) == pleura_archive_ok()
    else { throw CocoaError(.fileReadCorruptFile) }
    var out = Data()
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let n = archive_read_data(reader, &buffer, buffer.count)
      guard n > 0 else { break }
      out.append(contentsOf: buffer[0..<n])
    }
    return out
  }

  /// Walks the tar's 512-byte header blocks by their size fields, up to the end-of-archive zeros.
  static func headerOffsets(_ tar: Data) -> [Int] {
    let bytes = [UInt8](tar)
    var offsets: [Int] = []
    var offset = 0
    while offset + 512 <= bytes.count, bytes[offset..<offset + 512].contains(where: { $0 != 0 }) {
      offsets.append(offset)
      let field = bytes[offset + 124..<offset + 136].prefix { $0 != 0 && $0 != 0x20 }
      let size = Int(String(decoding: field, as: UTF8.self), radix: 8) ?? 0
      offset += 512 + (size + 511) / 512 * 512
    }
    return offsets
  }
}

/// The kinds of damage, in families. Raw families edit the archive's bytes, so they stop at the
/// archive layer unless the damage is harmless; the others edit the unpacked bag and re-sign
/// it (fresh manifests, Payload-Oxum and tag manifest), so they reach rows, plan and transaction.
enum MutationFamily: String, CaseIterable, Sendable {
  /// Bit flips, truncation, zeroed and garbage ranges in the `.tar.zst`.
  case compressedBytes
  /// Edited fields of the plain tar's header blocks, half of them with a corrected checksum.
  case tarHeaders
  /// Fields of rows (one edit, or two): wrong types, nulls, deletions, extreme numbers, odd text.
  case rowFields
  /// Ids and hashes: dangling, swapped, borrowed, colliding, malformed; rows duplicated or deleted.
  case references
  /// Whole tables: empty, missing, not an array, doubled.
  case tables
  /// The JSON text itself: truncated, garbage bytes, deep nesting, invalid UTF-8.
  case jsonText
  /// Blob files and blob rows: missing, replaced, truncated, extra; stored flags and sizes.
  case blobs
  /// bag-info.txt: schema version, site UUID, organisation, identifier.
  case bagInfo

  var isRaw: Bool { self == .compressedBytes || self == .tarHeaders }

  /// Share of the cases, so that the families that reach deepest get the most.
  var weight: Int {
    switch self {
    case .compressedBytes, .tarHeaders: 2
    case .rowFields, .references: 4
    case .tables, .jsonText, .blobs, .bagInfo: 1
    }
  }
}

/// A seeded source of mutations. Every choice comes from `random`, so a case is reproduced by
/// its seed alone.
struct BundleMutator {
  var random: SeededGenerator
  let bundle: MutationFixture.Bundle

  init(seed: UInt64, bundle: MutationFixture.Bundle) {
    random = SeededGenerator(seed: seed)
    self.bundle = bundle
  }

  mutating func below(_ bound: Int) -> Int { Int.random(in: 0..<max(1, bound), using: &random) }
  mutating func pick<T>(_ values: [T]) -> T { values[below(values.count)] }
  mutating func chance(_ p: Double) -> Bool { random.unit() < p }

  /// A well-formed id of `kind` that no bundle holds, from the seed (not `newID()`, which is
  /// random, so that a case reproduces).
  mutating func seededID(_ kind: EntityKind) -> String {
    let hex = String(random.next(), radix: 16)
    return kind.idPrefix + "_" + String(repeating: "0", count: 16 - hex.count) + hex
  }

  // MARK: - Raw bytes

  /// Damages the compressed archive; returns the bytes and the name of what was done.
  mutating func compressedBytes() -> (Data, String) {
    var bytes = [UInt8](bundle.compressed)
    switch below(5) {
    case 0:
      for _ in 0...below(3) {
        let bit = below(bytes.count * 8)
        bytes[bit / 8] ^= UInt8(1 << (bit % 8))
      }
      return (Data(bytes), "bit flips")
    case 1:
      bytes.removeLast(1 + below(bytes.count))
      return (Data(bytes), "truncation")
    case 2:
      let start = below(bytes.count)
      let end = min(bytes.count, start + 1 + below(4096))
      for i in start..<end { bytes[i] = 0 }
      return (Data(bytes), "zeroed range")
    case 3:
      let start = below(bytes.count)
      let end = min(bytes.count, start + 1 + below(512))
      for i in start..<end { bytes[i] = UInt8(truncatingIfNeeded: random.next()) }
      return (Data(bytes), "garbage range")
    default:
      // The frame header and first block, where a decoder decides what it is reading.
      for _ in 0...below(3) { bytes[below(min(32, bytes.count))] = UInt8(truncatingIfNeeded: random.next()) }
      return (Data(bytes), "frame header bytes")
    }
  }

  /// Edits one field of one tar header block. With a corrected checksum the edit gets past
  /// libarchive's header check and reaches the bag reader's checks (names, types, sizes).
  mutating func tarHeader() -> (Data, String) {
    var bytes = [UInt8](bundle.tar)
    let header = pick(bundle.tarHeaders)
    func octal(_ value: Int, width: Int) -> [UInt8] {
      let digits = String(value, radix: 8)
      return Array(
        (String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits).utf8.suffix(width - 1))
        + [0]
    }
    func put(_ field: Range<Int>, _ value: [UInt8]) {
      for (i, byte) in value.prefix(field.count).enumerated() { bytes[header + field.lowerBound + i] = byte }
    }
    let name: String
    switch below(9) {
    case 0:
      bytes[header + below(100)] = UInt8(truncatingIfNeeded: random.next())
      name = "name byte"
    case 1:
      put(
        0..<100,
        Array(pick(["../../evil", "/etc/passwd", "a/../../b", "x\u{1B}[2J", "bag/./data"]).utf8) + [0])
      name = "name replaced"
    case 2:
      let size = pick([0, 1, 511, 513, 1 << 20, 0o77777777777, below(1 << 16)])
      put(124..<136, octal(size, width: 12))
      name = "size"
    case 3:
      bytes[header + 156] = pick(Array("0123456xgLK5".utf8) + [0, 0xFF])
      name = "type flag"
    case 4:
      put(157..<257, Array(pick(["../../etc/passwd", "data/catalog/site.json", "/"]).utf8) + [0])
      bytes[header + 156] = pick(Array("12".utf8))
      name = "link"
    case 5:
      put(257..<263, Array(pick(["ustar\0", "garbag", "\0\0\0\0\0\0", "ustar "]).utf8))
      name = "magic"
    case 6:
      put(100..<108, octal(pick([0, 0o777, 0o4755, 0o7777]), width: 8))
      put(136..<148, octal(below(1 << 30), width: 12))
      name = "mode and mtime"
    case 7:
      put(148..<156, Array("\(below(1_000_000))".utf8))
      name = "checksum field"
    default:
      // The entry's content when it is a pax extended header ("NN path=...\n" records), else
      // the block after the header.
      let at = min(bytes.count - 1, header + 512 + below(64))
      bytes[at] = pick(Array("0123456789 =\n/.x".utf8) + [0])
      name = "pax record byte"
    }
    // Half the edits keep a valid header checksum, as a careful forger would.
    let fixed = chance(0.5)
    if fixed {
      for i in 148..<156 { bytes[header + i] = 0x20 }
      let sum = bytes[header..<header + 512].reduce(0) { $0 + Int($1) }
      put(148..<156, octal(sum, width: 7) + [0x20])
    }
    return (Data(bytes), name + (fixed ? " (checksum fixed)" : ""))
  }

  // MARK: - Semantic edits

  /// Applies one edit of `family` to an unpacked copy of the bundle; returns its name.
  mutating func edit(_ family: MutationFamily, _ bag: inout EditableBag) -> String {
    switch family {
    case .compressedBytes, .tarHeaders: preconditionFailure("raw families have no semantic edit")
    case .rowFields: return rowField(&bag)
    case .references: return reference(&bag)
    case .tables: return table(&bag)
    case .jsonText: return jsonText(&bag)
    case .blobs: return blob(&bag)
    case .bagInfo: return info(&bag)
    }
  }

  /// Numbers at and around the bounds the importer and the schema use.
  static var extremeNumbers: [Any] {
    [
      0, -1, 1, 4096, 4097, 100_000, 100_001, 100_000_000, 100_000_001, 1_000_000_000, 1_000_000_001,
      Int(Int32.max) + 1, Int.max, Int.min, -9_000_000_000_000, 1e19, 1e300, 0.5, -0.0,
    ]
  }

  /// Text a hostile or careless site might send.
  static let oddText = [
    "", " ", "x'); DROP TABLE cube; --", "\u{0}", "\u{1B}[2J\u{1B}[31mred", "line\nbreak\r\n",
    "\u{202E}txt.exe", "ﬁ\u{301}\u{FEFF}", "%s%n%x", "../../etc/passwd", "pat_0000000000000001",
    "NULL", String(repeating: "é", count: 300),
  ]

  mutating func rowField(_ bag: inout EditableBag) -> String {
    guard let (file, row) = bag.randomRow(&self) else { return "no rows" }
    var fields = bag.rows(file)[row]
    guard let key = fields.keys.sorted().randomElement(using: &random) else { return "empty row" }
    let name: String
    switch below(10) {
    case 9:
      // Every number of the row at a bound the checks use (a fuzzer's dictionary of comparison
      // operands): values each accepted alone, whose combinations the checks may not expect.
      for (k, value) in fields where value is NSNumber && k != "stored" {
        fields[k] = pick([0, 1, 4096, 100_000, 100_000_000, 1_000_000_000])
      }
      name = "every number at a bound"
    case 0:
      fields.removeValue(forKey: key)
      name = "field deleted"
    case 1:
      fields[key] = NSNull()
      name = "field null"
    case 2:
      fields[key] = pick([true, [] as [Any], [:] as [String: Any], "12", 12, [1, 2] as [Any]] as [Any])
      name = "wrong type"
    case 3:
      fields[key] = pick(Self.extremeNumbers)
      name = "extreme number"
    case 4:
      if let value = fields[key] as? Int { fields[key] = -value - 1 } else { fields[key] = -1 }
      name = "negative number"
    case 5:
      // Past the importer's 1 MiB bound for text, or just under it.
      fields[key] = String(repeating: "a", count: pick([(1 << 20) + 1, 200_000]))
      name = "giant string"
    case 6:
      fields[key] = pick(Self.oddText)
      name = "odd text"
    case 7:
      fields["unknownField"] = "x"
      name = "unknown field"
    default:
      // Every number of the row at once, so that combinations of bounds meet.
      for (k, value) in fields where value is NSNumber && !(value is Bool) && k != "stored" {
        fields[k] = pick(Self.extremeNumbers)
      }
      name = "every number extreme"
    }
    bag.setRow(file, row, fields)
    return "\(name) (\(file))"
  }

  /// The entity kind a reference field names.
  static func kind(ofField key: String, in file: String) -> EntityKind? {
    switch key {
    case "id": EntityKind(rawValue: String(file.dropLast(".json".count)))
    case "siteId": .site
    case "patientId": .patient
    case "sourceVideoId": .sourceVideo
    case "conversionId": .conversion
    case "roiId", "supersedesId": .roi
    case "datasetId": .dataset
    case "splitId": .split
    case "runId": .run
    default: nil
    }
  }

  mutating func reference(_ bag: inout EditableBag) -> String {
    guard let (file, row) = bag.randomRow(&self) else { return "no rows" }
    var rows = bag.rows(file)
    let keys = rows[row].keys.filter {
      $0 == "id" || $0.hasSuffix("Id") || $0.lowercased().hasSuffix("sha256")
    }.sorted()
    let name: String
    switch below(9) {
    case 8:
      // A consistent new id for one entity, everywhere it is referenced: the rows stay valid,
      // and a catalog holding the original sees a known entity under a new id.
      let entities = bag.tableNames.filter { bag.rows($0).first?["id"] is String }
      let table = pick(entities)
      let rows = bag.rows(table)
      guard let id = rows[below(rows.count)]["id"] as? String, let kind = EntityKind.of(id: id) else {
        return "no id"
      }
      bag.rename([id: seededID(kind)])
      return "id renamed everywhere (\(table))"
    case 0:
      rows.append(rows[row])
      name = "row duplicated"
    case 1:
      rows.remove(at: row)
      name = "row deleted"
    case 2 where rows.count > 1:
      let other = (row + 1 + below(rows.count - 1)) % rows.count
      guard let key = keys.randomElement(using: &random) else { return "no reference field" }
      (rows[row][key], rows[other][key]) = (rows[other][key], rows[row][key])
      name = "values swapped between rows"
    case 3 where rows.count > 1:
      let other = (row + 1 + below(rows.count - 1)) % rows.count
      guard let key = keys.randomElement(using: &random) else { return "no reference field" }
      rows[row][key] = rows[other][key]
      name = "value copied from another row"
    default:
      guard let key = keys.randomElement(using: &random) else { return "no reference field" }
      let current = rows[row][key] as? String ?? ""
      if key.lowercased().hasSuffix("sha256") {
        let otherBlob = pick(bag.blobNames)
        rows[row][key] = pick([
          String(repeating: "ab", count: 32), current.uppercased(), String(current.dropLast()), otherBlob,
        ])
        name = "hash changed"
      } else {
        let kind = Self.kind(ofField: key, in: file) ?? EntityKind.of(id: current) ?? .run
        let otherKind = pick(EntityKind.allCases)
        let candidates = [
          seededID(kind), current.uppercased(), kind.idPrefix + "_" + String(repeating: "z", count: 16),
          seededID(otherKind), current + "0", "../\(current)",
        ]
        rows[row][key] = pick(candidates)
        name = "id changed"
      }
    }
    bag.setRows(file, rows)
    return "\(name) (\(file))"
  }

  mutating func table(_ bag: inout EditableBag) -> String {
    let file = pick(bag.tableNames)
    switch below(5) {
    case 0:
      bag.tables[file] = [] as [Any]
      return "empty array"
    case 1:
      bag.removed.insert("catalog/\(file)")
      return "file removed"
    case 2:
      bag.tables[file] = pick([[:] as [String: Any], "rows", 3, NSNull(), [[1, 2]] as [Any]] as [Any])
      return "not an array of objects"
    case 3:
      bag.setRows(file, bag.rows(file) + bag.rows(file))
      return "every row twice"
    default:
      bag.setRows(file, bag.rows(file).reversed())
      return "rows reversed"
    }
  }

  mutating func jsonText(_ bag: inout EditableBag) -> String {
    let file = pick(bag.tableNames)
    var text = [UInt8](bag.encoded(file))
    let name: String
    switch below(6) {
    case 0:
      text.removeLast(1 + below(text.count))
      name = "truncated"
    case 1:
      for _ in 0...below(4) { text[below(text.count)] = UInt8(truncatingIfNeeded: random.next()) }
      name = "garbage bytes"
    case 2:
      let depth = pick([600, 5000])
      text =
        Array(repeating: UInt8(ascii: "["), count: depth) + Array(repeating: UInt8(ascii: "]"), count: depth)
      name = "deep nesting"
    case 3:
      text.insert(contentsOf: [0xC3, 0x28, 0xFF], at: below(text.count))
      name = "invalid UTF-8"
    case 4:
      text += Array(",]garbage".utf8)
      name = "trailing garbage"
    default:
      text = [0xEF, 0xBB, 0xBF] + text
      name = "byte-order mark"
    }
    bag.raw[file] = Data(text)
    return "\(name) (\(file))"
  }

  mutating func blob(_ bag: inout EditableBag) -> String {
    let blob = pick(bag.blobNames)
    switch below(7) {
    case 0:
      bag.removed.insert("blobs/\(blob)")
      return "blob file removed"
    case 1:
      bag.replaced["blobs/\(blob)"] = Data("not the blob".utf8)
      return "blob bytes replaced"
    case 2:
      let data = (try? Data(contentsOf: bag.bundle.root.appending(path: "data/blobs/\(blob)"))) ?? Data()
      bag.replaced["blobs/\(blob)"] = data.prefix(below(data.count))
      return "blob truncated"
    case 3:
      bag.replaced["blobs/\(String(repeating: "0", count: 64))"] = Data("extra".utf8)
      return "unreferenced blob added"
    default:
      var rows = bag.rows("blob.json")
      guard !rows.isEmpty else { return "no blob rows" }
      let index = below(rows.count)
      let name: String
      switch below(4) {
      case 3:
        // A claim nobody can check: the bytes did not travel, and their size is wrong.
        rows[index]["stored"] = false
        rows[index]["size"] = ((rows[index]["size"] as? Int) ?? 0) + pick([1, 1000])
        name = "held elsewhere with another size"
      case 0:
        rows[index]["stored"] = !(rows[index]["stored"] as? Bool ?? false)
        name = "stored flag flipped"
      case 1:
        rows[index]["size"] = ((rows[index]["size"] as? Int) ?? 0) + pick([1, -1, 1 << 40])
        name = "size changed"
      default:
        rows.remove(at: index)
        name = "blob row removed"
      }
      bag.setRows("blob.json", rows)
      return name
    }
  }

  mutating func info(_ bag: inout EditableBag) -> String {
    func set(_ label: String, _ value: String?) {
      bag.info.removeAll { $0.label == label }
      if let value { bag.info.append(BagInfo.Field(label, value)) }
    }
    switch below(7) {
    case 0:
      set("Pleura-Schema-Version", nil)
      return "schema version removed"
    case 1:
      set("Pleura-Schema-Version", pick(["abc", "1.0", "99999999999999999999", "-1", "0", "", "+1"]))
      return "schema version odd"
    case 2:
      set("Pleura-Schema-Version", "\(Catalog.schemaVersion + 1 + below(5))")
      return "schema version newer"
    case 3:
      set("Pleura-Site-UUID", nil)
      return "site UUID removed"
    case 4:
      set(
        "Source-Organization",
        pick([nil, "", String(repeating: "Org ", count: 50_000), "x'); DROP TABLE run;--"]))
      return "organization changed"
    case 5:
      set("External-Identifier", pick([nil, "other@9", ""]))
      return "identifier changed"
    default:
      bag.info.append(BagInfo.Field("Pleura-Schema-Version", "\(Catalog.schemaVersion + 1)"))
      return "second schema version"
    }
  }
}

/// The unpacked bundle with the edits so far, written as a new signed bag by `write(to:)`.
struct EditableBag {
  let bundle: MutationFixture.Bundle
  /// Parsed catalog files (whatever JSON they hold after edits).
  var tables: [String: Any] = [:]
  /// Catalog files replaced by raw bytes (these win over `tables`).
  var raw: [String: Data] = [:]
  /// Payload paths (below `data/`) left out, and paths written with other bytes or added.
  var removed: Set<String> = []
  var replaced: [String: Data] = [:]
  var info: [BagInfo.Field]

  init(_ bundle: MutationFixture.Bundle) throws {
    self.bundle = bundle
    info = bundle.info
    for path in bundle.payload where path.hasPrefix("catalog/") {
      let data = try Data(contentsOf: bundle.root.appending(path: "data/\(path)"))
      tables[String(path.dropFirst("catalog/".count))] = try JSONSerialization.jsonObject(with: data)
    }
  }

  var tableNames: [String] { tables.keys.sorted() }
  var blobNames: [String] {
    bundle.payload.filter { $0.hasPrefix("blobs/") }.map { String($0.dropFirst("blobs/".count)) }
  }

  func rows(_ file: String) -> [[String: Any]] { tables[file] as? [[String: Any]] ?? [] }
  mutating func setRows(_ file: String, _ rows: [[String: Any]]) { tables[file] = rows }
  mutating func setRow(_ file: String, _ index: Int, _ row: [String: Any]) {
    var rows = rows(file)
    rows[index] = row
    tables[file] = rows
  }

  /// A row of a non-empty table.
  func randomRow(_ mutator: inout BundleMutator) -> (String, Int)? {
    let candidates = tableNames.filter { !rows($0).isEmpty }
    guard !candidates.isEmpty else { return nil }
    let file = mutator.pick(candidates)
    return (file, mutator.below(rows(file).count))
  }

  /// Turns the bundle into the next version of its dataset, built from the same sources: the
  /// dataset, its cubes and splits and the runs that made them get new ids (from the seed), so a
  /// catalog that holds the original already has every other row and the plan must compare them.
  mutating func becomeNextVersion(_ mutator: inout BundleMutator) {
    var renamed: [String: String] = [:]
    for file in ["dataset.json", "cube.json", "split.json"] {
      for row in rows(file) {
        guard let id = row["id"] as? String, let kind = EntityKind.of(id: id) else { continue }
        renamed[id] = mutator.seededID(kind)
      }
    }
    for edge in rows("run_edge.json") {
      guard let run = edge["runId"] as? String, let entity = edge["entityId"] as? String,
        edge["direction"] as? String == "output", renamed[entity] != nil, renamed[run] == nil
      else { continue }
      renamed[run] = mutator.seededID(.run)
    }
    rename(renamed)
    var datasets = rows("dataset.json")
    datasets[0]["version"] = (datasets[0]["version"] as? Int ?? 1) + 1
    setRows("dataset.json", datasets)
  }

  /// Replaces every string value found in `renamed` (ids, wherever they are referenced).
  mutating func rename(_ renamed: [String: String]) {
    func rename(_ value: Any) -> Any {
      switch value {
      case let text as String: renamed[text] ?? text
      case let array as [Any]: array.map(rename)
      case let object as [String: Any]: object.mapValues(rename)
      default: value
      }
    }
    for file in tableNames { tables[file] = rename(tables[file]!) }
  }

  func encoded(_ file: String) -> Data {
    if let data = raw[file] { return data }
    return
      (try? JSONSerialization.data(withJSONObject: tables[file] ?? NSNull(), options: [.fragmentsAllowed]))
      ?? Data()
  }

  /// Writes the edited bag, re-signed, as `archive`. Fast zstd: the bytes matter, not the ratio.
  func write(to archive: URL) throws {
    let writer = try BagWriter(
      creating: archive, bagName: bundle.bagName, compression: .zstd(level: 1, threads: 1))
    let kept = bundle.payload.filter { !removed.contains($0) && replaced[$0] == nil }
    let entries =
      kept.map { ($0, nil as Data?) } + replaced.sorted(by: { $0.key < $1.key }).map { ($0.key, $0.value) }
    // In the order Pleura writes: the catalog files first, since an import admits a blob only once
    // the blob list has named it.
    let ordered =
      entries.filter { $0.0.hasPrefix("catalog/") } + entries.filter { !$0.0.hasPrefix("catalog/") }
    for (path, data) in ordered {
      if let data {
        try writer.addData(data, as: path)
      } else if path.hasPrefix("catalog/") {
        try writer.addData(encoded(String(path.dropFirst("catalog/".count))), as: path)
      } else {
        try writer.addFile(at: bundle.root.appending(path: "data/\(path)"), as: path)
      }
    }
    _ = try writer.finish(info: BagInfo(info))
  }
}
