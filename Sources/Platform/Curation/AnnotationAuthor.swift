import Foundation

/// Who made an annotation: a person's name (a curator, a reviewer, `$USER` at the command line),
/// or one of the names the platform itself writes under.
public enum AnnotationAuthor {
  /// Authors that are programs, not people: their ROIs are *suggested* until a person confirms
  /// them, and they never count as a side of a disagreement.
  public static let machines: Set<String> = ["roi-suggest", "synthesize"]

  /// Names that are not people's and travel as they are in a pseudonymised bundle.
  public static let reserved: Set<String> = machines.union([LabelAnnotation.ingestAuthor])

  public static func isMachine(_ author: String) -> Bool { machines.contains(author) }

  /// The one author rule of local edits and imported rows (`RecordRules.author`).
  public static func isValid(_ author: String) -> Bool { (try? RecordRules.author(author)) != nil }
}
