import Foundation
import Primitives

/// Builds the `ro-crate-metadata.json` of an RO-Crate 1.1 (https://w3id.org/ro/crate/1.1): the
/// metadata descriptor, the root Dataset listing its files in `hasPart`, one File entity per file,
/// and one CreateAction per provenance run with its instrument (a SoftwareApplication with name
/// and version), `object` (inputs) and `result` (outputs).
///
/// It is a pure JSON builder over plain values; the crate root is the folder that will hold the
/// metadata file (in a bundle, the bag's `data/`), and file paths are relative to it.
///
/// ```swift
/// var crate = RoCrate(name: "Site A export", description: "Videos and masks", datePublished: now)
/// crate.files.append(.init(path: "objects/ab/ab12.npy", encodingFormat: "application/octet-stream"))
/// crate.actions.append(.init(
///   id: "run_0123", name: "segment", instrument: .init(name: "lung-seg", version: "1.2.0"),
///   inputs: ["objects/ab/ab12.npy"], outputs: ["objects/cd/cd34.npy"]))
/// try writer.addData(crate.jsonData(), as: RoCrate.metadataFileName)
/// ```
public struct RoCrate: Sendable, Hashable {
  public static let metadataFileName = "ro-crate-metadata.json"

  /// A file of the crate.
  public struct File: Sendable, Hashable {
    /// Path relative to the crate root, with `/` separators (percent-encoded in `@id`).
    public var path: String
    public var name: String?
    /// A MIME type, e.g. "application/json".
    public var encodingFormat: String?
    public var contentSize: Int64?
    public init(path: String, name: String? = nil, encodingFormat: String? = nil, contentSize: Int64? = nil) {
      self.path = path
      self.name = name
      self.encodingFormat = encodingFormat
      self.contentSize = contentSize
    }
  }

  /// The software a run used: in Pleura, a plugin and its version.
  public struct Software: Sendable, Hashable {
    public var name: String
    public var version: String
    public init(name: String, version: String) {
      self.name = name
      self.version = version
    }
  }

  /// One provenance run: `inputs` and `outputs` are paths of files in `files`.
  public struct Action: Sendable, Hashable {
    public var id: String
    public var name: String
    public var instrument: Software
    public var inputs: [String]
    public var outputs: [String]
    public var startTime: Date?
    public var endTime: Date?
    public init(
      id: String, name: String, instrument: Software, inputs: [String], outputs: [String],
      startTime: Date? = nil, endTime: Date? = nil
    ) {
      self.id = id
      self.name = name
      self.instrument = instrument
      self.inputs = inputs
      self.outputs = outputs
      self.startTime = startTime
      self.endTime = endTime
    }
  }

  /// A license, by URL and name, e.g. ("https://creativecommons.org/licenses/by/4.0/", "CC BY 4.0").
  public struct License: Sendable, Hashable {
    public var url: String
    public var name: String
    public init(url: String, name: String) {
      self.url = url
      self.name = name
    }
  }

  public var name: String
  public var description: String
  public var datePublished: Date
  public var license: License?
  public var files: [File] = []
  public var actions: [Action] = []

  public init(name: String, description: String, datePublished: Date, license: License? = nil) {
    self.name = name
    self.description = description
    self.datePublished = datePublished
    self.license = license
  }
}

/// Why an RO-Crate could not be built.
public enum RoCrateError: Error, Sendable, Equatable, CustomStringConvertible {
  /// A file path is not a safe relative path, or appears twice.
  case invalidFile(path: String, reason: String)
  /// An action names an input or output that is not one of the crate's files.
  case unknownFile(action: String, path: String)
  /// Two actions share an id.
  case duplicateAction(id: String)
  /// The document could not be serialised (only strings, numbers, arrays and objects go in, so
  /// this would be a bug).
  case unserializable(reason: String)

  public var description: String {
    switch self {
    case .invalidFile(let path, let reason):
      "RO-Crate file '\(path.escapedForMessage)' is invalid: \(reason)."
    case .unknownFile(let action, let path):
      "Action '\(action)' refers to '\(path.escapedForMessage)', which is not a file of the crate."
    case .duplicateAction(let id): "Two actions have the id '\(id)'."
    case .unserializable(let reason): "The RO-Crate metadata cannot be written as JSON: \(reason)."
    }
  }
}

// MARK: - JSON

extension RoCrate {
  /// The metadata document as pretty-printed JSON with sorted keys (stable across runs).
  public func jsonData() throws(RoCrateError) -> Data {
    var fileIDs: [String: String] = [:]
    for file in files {
      if case .failure(let unsafe) = BagPath.components(of: file.path) {
        throw .invalidFile(path: file.path, reason: unsafe.reason)
      }
      guard fileIDs[file.path] == nil else {
        throw .invalidFile(path: file.path, reason: "it is listed twice")
      }
      fileIDs[file.path] = Self.encodePath(file.path)
    }
    var graph: [[String: Any]] = [
      [
        "@id": Self.metadataFileName, "@type": "CreativeWork",
        "conformsTo": ["@id": "https://w3id.org/ro/crate/1.1"], "about": ["@id": "./"],
      ]
    ]
    var root: [String: Any] = [
      "@id": "./", "@type": "Dataset", "name": name, "description": description,
      "datePublished": Self.iso8601(datePublished),
      "hasPart": files.map { ["@id": fileIDs[$0.path, default: Self.encodePath($0.path)]] },
    ]
    if let license {
      root["license"] = ["@id": license.url]
      graph.append(["@id": license.url, "@type": "CreativeWork", "name": license.name])
    }
    if !actions.isEmpty { root["mentions"] = actions.map { ["@id": Self.actionID($0.id)] } }
    graph.append(root)
    for file in files {
      var entity: [String: Any] = [
        "@id": fileIDs[file.path, default: Self.encodePath(file.path)], "@type": "File",
        "name": file.name ?? file.path,
      ]
      if let format = file.encodingFormat { entity["encodingFormat"] = format }
      if let size = file.contentSize { entity["contentSize"] = String(size) }
      graph.append(entity)
    }
    var software: [String: Software] = [:]
    var actionIDs = Set<String>()
    for action in actions {
      guard actionIDs.insert(action.id).inserted else { throw .duplicateAction(id: action.id) }
      let references = { (paths: [String]) throws(RoCrateError) -> [[String: String]] in
        var out: [[String: String]] = []
        for path in paths {
          guard let id = fileIDs[path] else { throw .unknownFile(action: action.id, path: path) }
          out.append(["@id": id])
        }
        return out
      }
      let instrumentID = Self.softwareID(action.instrument)
      software[instrumentID] = action.instrument
      var entity: [String: Any] = [
        "@id": Self.actionID(action.id), "@type": "CreateAction", "name": action.name,
        "instrument": ["@id": instrumentID], "object": try references(action.inputs),
        "result": try references(action.outputs),
      ]
      if let start = action.startTime { entity["startTime"] = Self.iso8601(start) }
      if let end = action.endTime { entity["endTime"] = Self.iso8601(end) }
      graph.append(entity)
    }
    for (id, tool) in software.sorted(by: { $0.key < $1.key }) {
      graph.append(["@id": id, "@type": "SoftwareApplication", "name": tool.name, "version": tool.version])
    }
    let document: [String: Any] = ["@context": "https://w3id.org/ro/crate/1.1/context", "@graph": graph]
    do {
      return try JSONSerialization.data(
        withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    } catch {
      throw .unserializable(reason: "\(error)")
    }
  }

  /// A relative URI reference for a path: each component percent-encoded.
  static func encodePath(_ path: String) -> String {
    var allowed = CharacterSet.alphanumerics.intersection(
      CharacterSet(charactersIn: Unicode.Scalar(0)...Unicode.Scalar(127)))
    allowed.insert(charactersIn: "-._~")
    // Percent-encoding fails only on text that is not valid Unicode, which a String never is.
    return path.split(separator: "/").map {
      $0.addingPercentEncoding(withAllowedCharacters: allowed) ?? String($0)
    }
    .joined(separator: "/")
  }

  static func actionID(_ id: String) -> String { "#" + encodePath(id) }

  static func softwareID(_ software: Software) -> String {
    "#" + encodePath("\(software.name)@\(software.version)")
  }

  static func iso8601(_ date: Date) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.string(from: date)
  }
}
