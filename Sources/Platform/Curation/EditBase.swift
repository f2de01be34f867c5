/// What an editor was looking at when they made an edit: the highest version number they were
/// shown (0 when there was none). In blind mode an editor is shown only their own versions, so
/// `ownOnly` compares with the highest version of their own.
///
/// An edit whose base is no longer the newest version is refused instead of silently replacing
/// a version its editor never saw (see ``AnnotationConflict``). Edits without a base (the command
/// line, imports) are taken as they come.
public struct EditBase: Codable, Sendable, Equatable {
  public var version: Int
  public var ownOnly: Bool

  public init(version: Int, ownOnly: Bool = false) {
    self.version = version
    self.ownOnly = ownOnly
  }

  /// One version as the check needs it.
  public struct Seen: Sendable {
    public var version: Int
    public var author: String
    public var createdAt: String
    public init(version: Int, author: String, createdAt: String) {
      self.version = version
      self.author = author
      self.createdAt = createdAt
    }
  }

  /// Throws when a version newer than the base exists among those the editor could see.
  public func check(
    _ versions: [Seen], editor: String, what: AnnotationConflict.What, video: String
  ) throws(AnnotationConflict) {
    let visible = ownOnly ? versions.filter { $0.author == editor } : versions
    guard let newest = visible.max(by: { $0.version < $1.version }) else {
      if version == 0 { return }
      throw AnnotationConflict(what: what, video: video, base: version, newest: 0, author: "", at: "")
    }
    guard newest.version != version else { return }
    throw AnnotationConflict(
      what: what, video: video, base: version, newest: newest.version, author: newest.author,
      at: newest.createdAt)
  }
}

/// An edit made on an out-of-date version: someone else changed the annotation in the meantime.
public struct AnnotationConflict: Error, CustomStringConvertible, Equatable {
  public enum What: String, Sendable { case label, roi = "ROI" }

  public var what: What
  public var video: String
  public var base: Int
  public var newest: Int
  public var author: String
  public var at: String

  public var description: String {
    if newest == 0 {
      return "the \(what.rawValue) of \(video) has no version \(base) to edit; nothing was stored"
    }
    return
      "the \(what.rawValue) of \(video) was changed by \(author) at \(at) (version \(newest)) after the edit "
      + "started from " + (base == 0 ? "no version" : "version \(base)")
      + "; nothing was stored: reload the video and edit again"
  }
}
