import Foundation
import Platform

/// Rules saying where a scanner burns text into its frames, matched on manufacturer, model and
/// frame size (see `dicom/mask-rules.tsv`); a site adds its own in `mask-rules.tsv` in its catalog.
public struct MaskRules: Sendable {
  public struct Rule: Sendable, Equatable {
    public var manufacturer: String
    public var model: String
    public var columns: Int?
    public var rows: Int?
    public var rectangles: [PixelRect]
    /// Where the rule came from, for the run's notes ("built-in line 12").
    public var origin: String

    func matches(manufacturer: String, model: String, columns: Int, rows: Int) -> Bool {
      func contains(_ value: String, _ pattern: String) -> Bool {
        pattern == "*" || value.range(of: pattern, options: .caseInsensitive) != nil
      }
      return contains(manufacturer, self.manufacturer) && contains(model, self.model)
        && (self.columns == nil || self.columns == columns) && (self.rows == nil || self.rows == rows)
    }
  }

  public var rules: [Rule]

  public init(rules: [Rule]) { self.rules = rules }

  /// The rules compiled into the binary.
  public static let builtIn: MaskRules = {
    let text = EmbeddedResources.dicomTables.first { $0.name == "mask-rules.tsv" }?.text ?? ""
    return (try? parse(text, origin: "built-in rules")) ?? MaskRules(rules: [])
  }()

  /// A site's rules from `file` followed by the built-in ones; only the built-in ones when the file
  /// does not exist.
  /// - Throws: `MaskRulesError` naming the file and line of a rule that cannot be read.
  public static func site(file: URL) throws -> MaskRules {
    guard FileManager.default.fileExists(atPath: file.path) else { return builtIn }
    let text: String
    do {
      text = try String(contentsOf: file, encoding: .utf8)
    } catch {
      throw MaskRulesError(file: file.path, line: 0, reason: "cannot be read as UTF-8 text")
    }
    return MaskRules(rules: try parse(text, origin: file.path).rules + builtIn.rules)
  }

  /// The first rule for this scanner and frame size.
  public func match(manufacturer: String, model: String, columns: Int, rows: Int) -> Rule? {
    rules.first { $0.matches(manufacturer: manufacturer, model: model, columns: columns, rows: rows) }
  }

  static func parse(_ text: String, origin: String) throws -> MaskRules {
    var rules: [Rule] = []
    for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
      func failure(_ reason: String) -> MaskRulesError {
        MaskRulesError(file: origin, line: index + 1, reason: reason)
      }
      let fields = line.split(separator: "\t").map { $0.trimmingCharacters(in: .whitespaces) }
      guard fields.count == 5 else {
        throw failure("expected 5 tab-separated fields (manufacturer, model, columns, rows, rectangles)")
      }
      func size(_ text: String, _ name: String) throws -> Int? {
        if text == "*" { return nil }
        guard let value = Int(text), value > 0 else {
          throw failure("\(name) must be a positive number or *")
        }
        return value
      }
      var rectangles: [PixelRect] = []
      for part in fields[4].split(separator: ";") {
        guard let rect = PixelRect(parsing: String(part)), rect.x >= 0, rect.y >= 0, rect.width > 0,
          rect.height > 0
        else { throw failure("rectangle '\(part)' is not X,Y,W,H with W and H positive") }
        rectangles.append(rect)
      }
      guard !rectangles.isEmpty else { throw failure("no rectangle") }
      rules.append(
        Rule(
          manufacturer: fields[0], model: fields[1], columns: try size(fields[2], "columns"),
          rows: try size(fields[3], "rows"), rectangles: rectangles, origin: "\(origin) line \(index + 1)"))
    }
    return MaskRules(rules: rules)
  }
}

public struct MaskRulesError: Error, CustomStringConvertible, Equatable {
  public var file: String
  public var line: Int
  public var reason: String
  public var description: String { "\(file): line \(line): \(reason)" }
}
