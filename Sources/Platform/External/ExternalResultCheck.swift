import Foundation
import GRDB
import Primitives

/// Checks an external plugin's result against its manifest, its inputs and the files it wrote,
/// then turns it into rows. Nothing is stored until every output has passed: an invalid result
/// leaves no blob and no row.
struct ExternalResultCheck {
  let manifest: PluginManifest
  let outputFolder: URL
  let inputs: [EntityRef]

  static let maxOutputs = 64
  static let maxScoresBytes = 256 << 20
  /// A dataset brings a shard and a sidecar per conversion; more files than this is not a result.
  static let maxFilesPerOutput = 4096

  struct Failure: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
  }

  /// An output that passed, with the files it brings by role, and for a kind a plugin family
  /// checks, what lands it.
  struct Checked {
    var output: ExternalOutput
    var files: [String: URL]
    var handled: (any CheckedExternalOutput)?
  }

  func check(_ result: ExternalPluginResult, in db: Database) throws -> [Checked] {
    guard !result.outputs.isEmpty, result.outputs.count <= Self.maxOutputs else {
      throw Failure("it names \(result.outputs.count) outputs; 1 to \(Self.maxOutputs) expected")
    }
    var keys: Set<String> = []
    var checked: [Checked] = []
    for output in result.outputs {
      let field = "output '\(output.key.escapedForMessage)'"
      guard ResultWords.isWord(output.key, limit: 64) else {
        throw Failure("\(field): a key must be 1 to 64 letters, digits, '-' or '_'")
      }
      guard keys.insert(output.key).inserted else { throw Failure("\(field) is named twice") }
      guard manifest.outputs.contains(output.kind) else {
        throw Failure(
          "\(field) is \(output.kind.withArticle); the manifest's outputs are "
            + manifest.outputs.map(\.rawValue).joined(separator: ", "))
      }
      guard output.files.count <= Self.maxFilesPerOutput else {
        throw Failure("\(field) names \(output.files.count) files; at most \(Self.maxFilesPerOutput)")
      }
      let files = try resolve(output.files, field: field)
      var handled: (any CheckedExternalOutput)?
      switch output.kind {
      case .model: try checkModel(output, files: files, field: field, in: db)
      case .evaluation: try checkEvaluation(output, files: files, field: field, result: result, in: db)
      case .pictures: try PicturesCheck.check(output, files: files, field: field)
      case .dataset, .conversion:
        guard let handler = ExternalOutputHandlers.handler(for: output.kind) else {
          throw Failure("\(field): this Pleura has no check for \(output.kind.withArticle) output")
        }
        do {
          handled = try handler.check(
            output, files: files, context: ExternalOutputContext(inputs: inputs, field: field), in: db)
        } catch let refusal as ExternalOutputRefusal {
          throw Failure(refusal.reason)
        }
      }
      checked.append(Checked(output: output, files: files, handled: handled))
    }
    return checked
  }

  /// Each named file as a regular file inside the output folder (no links, no `..`).
  private func resolve(_ files: [String: String], field: String) throws -> [String: URL] {
    var resolved: [String: URL] = [:]
    let root = outputFolder.resolvingSymlinksInPath().standardizedFileURL.path
    for (role, path) in files {
      let shown = "\(field) file '\(path.escapedForMessage)'"
      guard !path.isEmpty, !path.hasPrefix("/"), !path.split(separator: "/").contains("..") else {
        throw Failure("\(shown) must be a path inside the output folder")
      }
      let url = outputFolder.appendingPathComponent(path)
      var info = stat()
      guard lstat(url.path, &info) == 0 else { throw Failure("\(shown) does not exist") }
      guard info.st_mode & S_IFMT == S_IFREG else {
        throw Failure("\(shown) is not a regular file (links are refused)")
      }
      guard url.resolvingSymlinksInPath().standardizedFileURL.path.hasPrefix(root + "/") else {
        throw Failure("\(shown) leaves the output folder")
      }
      resolved[role] = url
    }
    return resolved
  }

  private func expectKeys(
    _ output: ExternalOutput, _ allowed: Set<String>, files roles: Set<String>, field: String
  )
    throws
  {
    for key in output.metadata.keys.sorted() where !allowed.contains(key) {
      throw Failure(
        "\(field): metadata '\(key.escapedForMessage)' is not one of "
          + allowed.sorted().joined(separator: ", "))
    }
    for role in output.files.keys.sorted() where !roles.contains(role) {
      throw Failure(
        "\(field): file role '\(role.escapedForMessage)' is not one of "
          + roles.sorted().joined(separator: ", "))
    }
  }

  private func input(_ id: String?, of kind: EntityKind) -> String? {
    inputs.first { $0.kind == kind && $0.id == id }?.id
  }

  private func checkModel(_ output: ExternalOutput, files: [String: URL], field: String, in db: Database)
    throws
  {
    try expectKeys(
      output, ["architecture", "dataset", "split", "hyperparameters", "curves", "chosenEpoch", "seed"],
      files: ["weights"], field: field)
    guard let weights = files["weights"] else {
      throw Failure("\(field): a model needs a 'weights' file (safetensors)")
    }
    if let problem = SafetensorsCheck.problem(at: weights) { throw Failure("\(field) weights \(problem)") }
    guard let architecture = output.metadata["architecture"]?.stringValue,
      ResultWords.isWord(architecture, limit: 64)
    else { throw Failure("\(field): metadata architecture must be a word of at most 64 characters") }
    guard let dataset = input(output.metadata["dataset"]?.stringValue, of: .dataset) else {
      throw Failure("\(field): metadata dataset must be the id of an input dataset")
    }
    guard let split = input(output.metadata["split"]?.stringValue, of: .split),
      try Split.find(db, key: split).datasetId == dataset
    else { throw Failure("\(field): metadata split must be the id of an input split of dataset \(dataset)") }
    for key in ["hyperparameters", "curves"] {
      if let value = output.metadata[key], value.objectValue == nil, !(value.isArray) {
        throw Failure("\(field): metadata \(key) must be a JSON object or list")
      }
    }
    for key in ["chosenEpoch", "seed"] {
      if let value = output.metadata[key],
        value.intValue == nil || (key == "chosenEpoch" && (value.intValue ?? 0) < 0)
      {
        throw Failure("\(field): metadata \(key) must be a whole number")
      }
    }
  }

  private func checkEvaluation(
    _ output: ExternalOutput, files: [String: URL], field: String, result: ExternalPluginResult,
    in db: Database
  ) throws {
    try expectKeys(output, ["model", "dataset", "part", "metrics"], files: ["scores"], field: field)
    let model = output.metadata["model"]?.stringValue
    let ownModel = result.outputs.contains { $0.kind == .model && $0.key == model }
    guard ownModel || input(model, of: .model) != nil else {
      throw Failure(
        "\(field): metadata model must be the key of a model in this result or the id of an input model")
    }
    guard let dataset = input(output.metadata["dataset"]?.stringValue, of: .dataset) else {
      throw Failure("\(field): metadata dataset must be the id of an input dataset")
    }
    guard let part = output.metadata["part"]?.stringValue, Evaluation.Part(rawValue: part) != nil else {
      throw Failure(
        "\(field): metadata part must be one of "
          + Evaluation.Part.allCases.map(\.rawValue).joined(separator: ", "))
    }
    guard output.metadata["metrics"]?.objectValue != nil else {
      throw Failure("\(field): metadata metrics must be a JSON object")
    }
    if let scores = files["scores"] { try checkScores(scores, dataset: dataset, field: field, in: db) }
  }

  /// A scores CSV: a header with `cube` first and a `score` column, then one row per cube of the
  /// dataset at most once, each score a number from 0 to 1.
  private func checkScores(_ url: URL, dataset: String, field: String, in db: Database) throws {
    let size =
      (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)??.intValue ?? 0
    guard size <= Self.maxScoresBytes, let data = try? Data(contentsOf: url) else {
      throw Failure("\(field) scores: larger than \(Self.maxScoresBytes) bytes or unreadable")
    }
    let lines = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).map(String.init)
    let header = lines.first?.split(separator: ",").map(String.init) ?? []
    guard header.first == "cube", let scoreColumn = header.firstIndex(of: "score") else {
      throw Failure(
        "\(field) scores: the first line must be a CSV header starting with 'cube' with a 'score' column")
    }
    let cubes = Set(
      try String.fetchAll(db, sql: "SELECT id FROM cube WHERE dataset_id = ?", arguments: [dataset]))
    var seen: Set<String> = []
    for (number, line) in lines.dropFirst().enumerated() {
      let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
      let shown = "\(field) scores line \(number + 2)"
      guard cells.count == header.count, let cube = cells.first else {
        throw Failure("\(shown): \(cells.count) cells; the header has \(header.count)")
      }
      guard cubes.contains(cube) else {
        throw Failure("\(shown): '\(cube.escapedForMessage)' is not a cube of \(dataset)")
      }
      guard seen.insert(cube).inserted else { throw Failure("\(shown): cube \(cube) is scored twice") }
      guard let score = Double(cells[scoreColumn]), score.isFinite, score >= 0, score <= 1 else {
        throw Failure("\(shown): score '\(cells[scoreColumn].escapedForMessage)' is not a number from 0 to 1")
      }
    }
  }
}

/// Keys and architectures in a result: short printable words, safe in a table and a file name.
enum ResultWords {
  static func isWord(_ text: String, limit: Int) -> Bool {
    !text.isEmpty && text.count <= limit
      && text.unicodeScalars.allSatisfy {
        ($0.isASCII && CharacterSet.alphanumerics.contains($0)) || "-_.".unicodeScalars.contains($0)
      }
  }
}

extension AnyJSON {
  var isArray: Bool {
    if case .array = self { return true }
    return false
  }
}
