import Platform

/// Whose annotations a person is shown. In blind mode a curator sees only their own labels and
/// ROIs (and the programs' suggestions), so that a second reading is independent of the first
/// and agreement is measured honestly.
public enum Perspective: Sendable, Equatable {
  case everyone
  case blind(author: String)

  /// The authors whose versions are visible, or nil for all.
  public func sees(_ author: String) -> Bool {
    switch self {
    case .everyone: true
    case .blind(let me): author == me || AnnotationAuthor.isMachine(author)
    }
  }

  public var isBlind: Bool { self != .everyone }
}
