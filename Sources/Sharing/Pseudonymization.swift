import Foundation
import Platform

/// Replaces patient codes with keyed hashes everywhere a bundle could carry them: patient rows,
/// run parameters (ingest records codes), file names (synthetic names contain codes) and
/// free-text notes and summaries, which are dropped. Label authors become keyed pseudonyms too.
///
/// Models and evaluations need no rewrite: the train plugin's hyperparameters and curves are
/// settings and numbers, an evaluation's metrics are numbers, and its scores CSV
/// (`cube,patient,video,clip,label,score`) names cubes, patients and conversions by id, never by
/// code or file name (see `EvaluatePlugin.run`). `check` still reads all of them, so a future
/// field that carried a code would stop the export rather than leak.
enum Pseudonymization {
  /// Rewrites the rows; returns each original code or file name with its replacement, for the
  /// text blobs that must be rewritten too (see `BundleExporter`).
  @discardableResult
  static func apply(_ pseudonymizer: Pseudonymizer, to content: inout BundleContent) throws -> [(
    String, String
  )] {
    var replacements: [(String, String)] = []
    for index in content.patients.indices {
      let code = content.patients[index].code
      let pseudonym = pseudonymizer.pseudonym(for: code)
      replacements.append((code, pseudonym))
      content.patients[index].code = pseudonym
    }
    for index in content.sourceVideos.indices {
      let video = content.sourceVideos[index]
      let renamed =
        video.id
        + (URL(fileURLWithPath: video.fileName).pathExtension.isEmpty
          ? "" : "." + URL(fileURLWithPath: video.fileName).pathExtension)
      replacements.append((video.fileName, renamed))
      content.sourceVideos[index].fileName = renamed
      content.sourceVideos[index].notes = nil
    }
    // Dataset summaries list patients and file names; a recipe may name patients.
    for index in content.datasets.indices {
      content.datasets[index].summaryJson = replace(content.datasets[index].summaryJson, replacements)
      content.datasets[index].recipeJson = replace(content.datasets[index].recipeJson, replacements)
    }
    // Label authors are people: a keyed pseudonym replaces each name, in the rows and in the
    // parameters of the runs that recorded them.
    var authors: [String: String] = [:]
    for index in content.labelAnnotations.indices {
      let author = content.labelAnnotations[index].author
      guard !AnnotationAuthor.reserved.contains(author) else { continue }
      let pseudonym = authors[author] ?? pseudonymizer.pseudonym(forAuthor: author)
      authors[author] = pseudonym
      content.labelAnnotations[index].author = pseudonym
    }
    let authorReplacements = authors.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    for index in content.runs.indices {
      content.runs[index].parametersJson = replace(content.runs[index].parametersJson, authorReplacements)
    }
    for index in content.runs.indices {
      content.runs[index].parametersJson = replace(content.runs[index].parametersJson, replacements)
      content.runs[index].summary = nil
      content.runs[index].error = content.runs[index].error == nil ? nil : "(withheld)"
    }
    return replacements
  }

  /// Whole-token, case-insensitive replacement (a code inside a longer token is left alone).
  static func replace(_ text: String, _ replacements: [(String, String)]) -> String {
    var result = text
    for (original, replacement) in replacements.sorted(by: { $0.0.count > $1.0.count }) {
      result = pattern(for: original).stringByReplacingMatches(
        in: result, range: NSRange(result.startIndex..., in: result),
        withTemplate: NSRegularExpression.escapedTemplate(for: replacement))
    }
    return result
  }

  static func pattern(for code: String) -> NSRegularExpression {
    try! NSRegularExpression(
      pattern: "(?<![A-Za-z0-9_-])" + NSRegularExpression.escapedPattern(for: code) + "(?![A-Za-z0-9_])",
      options: [.caseInsensitive])
  }

  /// The safety net: no original code may remain in any exported table (nor in the other text
  /// files the exporter passes, such as evaluation scores).
  static func check(_ files: [(name: String, data: Data, rows: Int)], against codes: [String]) throws {
    for (name, data, _) in files {
      let text = String(decoding: data, as: UTF8.self)
      for code in codes
      where pattern(for: code).firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil {
        throw ExportError.pseudonymizationIncomplete(name)
      }
    }
  }
}
