import Foundation
import Platform

/// A pseudonymised bundle carries no free text and no name from the local site: patient codes,
/// ROI authors and site names become keyed pseudonyms (`p-`, `a-`, `s-` + 24 hex digits under
/// the site key), source files are renamed to their video ids, notes, run summaries and errors
/// are dropped, and every string of run parameters and dataset recipes and summaries is
/// rewritten wherever such a value stands as a whole token (the skipped videos of a summary name
/// videos that are not exported). Run-cache keys, hashes of the original parameters, are keyed
/// too, so that they cannot be matched against guessed codes.
///
/// `check` is the safety net: it scans every file that travels for every patient code, original
/// file name, note and author of the whole catalog — one automaton for all of them, in UTF-8 and
/// UTF-16 — and refuses the export if any remains.
enum Pseudonymization {
  /// Rewrites the rows; the sidecar CSVs and other text blobs go through `values.replacer()`.
  static func apply(
    _ pseudonymizer: Pseudonymizer, values: SensitiveValues, to content: inout BundleContent
  ) throws {
    let replace = values.replacer()
    for index in content.patients.indices {
      content.patients[index].code = pseudonymizer.pseudonym(for: content.patients[index].code)
    }
    for index in content.sourceVideos.indices {
      let video = content.sourceVideos[index]
      content.sourceVideos[index].fileName = SensitiveValues.renamed(video.fileName, to: video.id)
      content.sourceVideos[index].notes = nil
    }
    // ROI and label authors are people (unless a program or `ingest`: `AnnotationAuthor.reserved`).
    for index in content.roiAnnotations.indices {
      let author = content.roiAnnotations[index].author
      if !SensitiveValues.machineAuthors.contains(author) {
        content.roiAnnotations[index].author = pseudonymizer.pseudonym(author, kind: .author)
      }
    }
    for index in content.labelAnnotations.indices {
      let author = content.labelAnnotations[index].author
      if !SensitiveValues.machineAuthors.contains(author) {
        content.labelAnnotations[index].author = pseudonymizer.pseudonym(author, kind: .author)
      }
    }
    for index in content.sites.indices {
      content.sites[index].name = pseudonymizer.pseudonym(content.sites[index].name, kind: .site)
    }
    /// JSON strings: keys that are exactly a value (a summary's patients), notes emptied,
    /// authors by their pseudonym, any other string rewritten token by token.
    func rewrite(_ json: String, _ what: String) throws -> String {
      do {
        return try JSONStringRewriter.rewrite(json, key: { values.replacement(ofExactly: $0) ?? $0 }) {
          key, text in
          switch key {
          case "notes": ""
          case "author" where !SensitiveValues.machineAuthors.contains(text):
            pseudonymizer.pseudonym(text, kind: .author)
          default: replace(text)
          }
        }
      } catch {
        throw ExportError.pseudonymizationIncomplete("\(what) (\(error))")
      }
    }
    for index in content.datasets.indices {
      let reference = content.datasets[index].reference
      content.datasets[index].summaryJson = try rewrite(
        content.datasets[index].summaryJson, "the summary of \(reference)")
      content.datasets[index].recipeJson = try rewrite(
        content.datasets[index].recipeJson, "the recipe of \(reference)")
    }
    for index in content.runs.indices {
      let run = content.runs[index]
      content.runs[index].parametersJson = try rewrite(run.parametersJson, "the parameters of run \(run.id)")
      content.runs[index].cacheKey = pseudonymizer.pseudonym(run.cacheKey, kind: .runCacheKey)
      content.runs[index].summary = nil
      content.runs[index].error = run.error == nil ? nil : SensitiveValues.withheld
    }
  }

  /// The safety net: no patient code, original file name, note or author of the catalog may
  /// remain in any file that travels, in any of the forms `SensitiveValues.checkMatcher` knows.
  static func check(_ files: [(name: String, data: Data, rows: Int)], against values: SensitiveValues) throws
  {
    let matcher = values.checkMatcher()
    guard !matcher.isEmpty else { return }
    for (name, data, _) in files {
      let found = data.withUnsafeBytes { matcher.firstMatch(in: $0) }
      if let found {
        // The kind, not the value: this message must not print what it protects.
        throw ExportError.pseudonymizationIncomplete("\(name) (\(values.entries[found.value].kind.rawValue))")
      }
    }
  }
}
