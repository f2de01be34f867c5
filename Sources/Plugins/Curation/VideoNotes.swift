import Foundation
import GRDB
import Platform

public enum NoteError: Error, CustomStringConvertible, Equatable {
  case empty
  case tooLong(Int)
  case unknownVideo(String)

  public var description: String {
    switch self {
    case .empty: "a note needs some text"
    case .tooLong(let count): "a note holds at most 4000 characters, this one \(count)"
    case .unknownVideo(let id): "no source video \(id) in this catalog"
    }
  }
}

/// Curators' free-text notes on videos. They never leave the site: no bundle carries them, and
/// they are kept out of run parameters (which travel) by being written here rather than by a run.
public enum VideoNotes {
  public static let maximumLength = 4000

  @discardableResult
  public static func add(video: String, author: String, text: String, in catalog: Catalog) throws -> VideoNote
  {
    let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
    guard !trimmed.isEmpty else { throw NoteError.empty }
    guard trimmed.count <= maximumLength else { throw NoteError.tooLong(trimmed.count) }
    return try catalog.database.write { db in
      guard try SourceVideo.fetchOne(db, key: video) != nil else { throw NoteError.unknownVideo(video) }
      let note = VideoNote(
        id: "note_" + EntityKind.run.newID().dropFirst(4), sourceVideoId: video, author: author,
        text: trimmed,
        createdAt: Timestamp.now())
      try note.insert(db)
      return note
    }
  }

  public static func list(video: String, in db: Database) throws -> [VideoNote] {
    try VideoNote.filter(VideoNote.Columns.sourceVideoId == video).order(VideoNote.Columns.createdAt)
      .fetchAll(db)
  }
}
