import Curation
import Foundation
import Hummingbird
import Media
import Platform

/// A refusal with the HTTP status it is sent with and one clear sentence; pages show it as a
/// page, the API as `{"error": "..."}`.
public struct WorkbenchError: Error, CustomStringConvertible, Equatable {
  public var status: HTTPResponse.Status
  public var message: String

  public init(_ status: HTTPResponse.Status, _ message: String) {
    self.status = status
    self.message = message
  }

  public var description: String { message }

  static func notFound(_ what: String) -> WorkbenchError { .init(.notFound, "\(what) was not found") }
  static func forbidden(_ message: String) -> WorkbenchError { .init(.forbidden, message) }
  static func badRequest(_ message: String) -> WorkbenchError { .init(.badRequest, message) }

  /// What a catalog service's error means for a request. Validation failures are 400, a missing
  /// entity 404, an edit on an out-of-date version 409; anything else is the server's fault (500)
  /// and its text is not sent (it may hold a path).
  static func from(_ error: any Error) -> WorkbenchError {
    switch error {
    case let error as WorkbenchError: return error
    case let error as AnnotationConflict: return .init(.conflict, error.description)
    case let error as LabelError:
      if case .conflict(let conflict) = error { return .init(.conflict, conflict.description) }
      if case .unknownVideo = error { return .init(.notFound, error.description) }
      return .init(.badRequest, error.description)
    case let error as RoiError:
      if case .conflict(let conflict) = error { return .init(.conflict, conflict.description) }
      if case .unknownVideo = error { return .init(.notFound, error.description) }
      return .init(.badRequest, error.description)
    case let error as NoteError:
      if case .unknownVideo = error { return .init(.notFound, error.description) }
      return .init(.badRequest, error.description)
    case let error as AccountError:
      if case .exists = error { return .init(.conflict, error.description) }
      return .init(.badRequest, error.description)
    case let error as CollectionQuery.QueryError: return .init(.badRequest, error.description)
    // The store's fault, not the request's: said as it is (it names the blob and its entity).
    case let error as DamagedBlobError: return .init(.internalServerError, error.description)
    case let error as RunError:
      // An edit checked again inside its transaction and refused there (it raced another).
      if case .failed(_, _, let reason) = error, reason.contains("was changed by") {
        return .init(.conflict, reason)
      }
      return .init(.internalServerError, "the catalog refused the edit: \(error.description)")
    default:
      return .init(.internalServerError, "the server could not do that; see its log")
    }
  }
}
