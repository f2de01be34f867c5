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

  /// 1-64 characters, none of them a control character.
  public static func isValid(_ author: String) -> Bool {
    !author.isEmpty && author.count <= 64
      && author.unicodeScalars.allSatisfy { !CharacterSet.controlCharacters.contains($0) }
  }
}
