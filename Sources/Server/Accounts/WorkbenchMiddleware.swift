import Foundation
import HTTPTypes
import Hummingbird

/// Runs around every route: refuses a request for a loopback server under a foreign Host name
/// (DNS rebinding), finds the session from its cookie, sends the unauthenticated to the login
/// page, checks the CSRF token of every write, adds the security headers and turns every refusal
/// into one clear message (JSON for /api and /media, a page otherwise).
struct WorkbenchMiddleware: RouterMiddleware {
  typealias Context = WorkbenchContext
  static let sessionCookie = "pleura_session"

  let workbench: Workbench

  func handle(
    _ request: Request, context: Context, next: (Request, Context) async throws -> Response
  ) async throws -> Response {
    let path = request.uri.path
    let wantsJSON = path.hasPrefix("/api/") || path.hasPrefix("/media/")
    var context = context
    var newSession: Session?
    var response: Response
    do {
      try checkHost(request)
      context.session = try session(for: request)
      if context.session == nil, try workbench.localMode() {
        newSession = workbench.sessions.create(user: workbench.localUser, role: .admin, local: true)
        context.session = newSession
      }
      let open = path == "/login" || path.hasPrefix("/assets/") || path == "/favicon.ico"
      if context.session == nil, !open {
        if wantsJSON || request.method != .get { throw WorkbenchError(.unauthorized, "log in first") }
        return secured(Reply.redirect("/login?next=" + Self.escapeQuery(request.uri.description)))
      }
      // /login and /logout are forms: they check the token in their own fields.
      if request.method != .get, request.method != .head, path != "/login", path != "/logout" {
        guard let session = context.session, let token = request.headers[.csrfToken],
          SessionStore.same(token, session.csrf)
        else { throw WorkbenchError.forbidden("the request has no valid CSRF token; reload the page") }
      }
      response = try await next(request, context)
    } catch {
      let refusal = Self.refusal(for: error)
      if refusal.status == .internalServerError {
        context.logger.error("\(request.method) \(path): \(String(describing: error))")
      }
      response =
        wantsJSON
        ? ((try? Reply.json(["error": refusal.message], status: refusal.status))
          ?? Response(status: refusal.status))
        : Reply.html(Layout.errorPage(refusal, session: context.session), status: refusal.status)
    }
    if let newSession { response.setCookie(Self.cookie(for: newSession)) }
    return secured(response)
  }

  /// Hummingbird's own refusals (an unknown route, a body too large) keep their status.
  static func refusal(for error: any Error) -> WorkbenchError {
    if !(error is WorkbenchError), let error = error as? HTTPResponseError {
      let message =
        switch error.status {
        case .notFound: "there is no such page"
        case .contentTooLarge:
          "the request body is larger than \(WorkbenchConfiguration.maximumBodyBytes) bytes"
        case .methodNotAllowed: "that method is not allowed here"
        default: "the request was refused (\(error.status.code))"
        }
      return WorkbenchError(error.status, message)
    }
    return WorkbenchError.from(error)
  }

  func session(for request: Request) throws -> Session? {
    guard let token = request.cookies[Self.sessionCookie]?.value, let session = workbench.sessions.find(token)
    else { return nil }
    // A session made while there were no accounts ends when the first account appears.
    if session.local, try !workbench.localMode() {
      workbench.sessions.remove(token)
      return nil
    }
    return session
  }

  /// A loopback server answers only to loopback names: a page on another site that resolves its
  /// own name to 127.0.0.1 (DNS rebinding) must not reach the catalog.
  func checkHost(_ request: Request) throws {
    guard workbench.configuration.isLoopback else { return }
    // HTTP/1's Host header arrives as the authority; a Host field left among the headers counts too.
    for host in [request.head.authority, request.headers[Self.hostField]].compactMap({ $0 }) {
      var name = host
      if name.hasPrefix("[") {
        name = String(name.prefix { $0 != "]" }) + "]"
      } else if let colon = name.lastIndex(of: ":") {
        name = String(name[..<colon])
      }
      guard WorkbenchConfiguration.isLoopback(name) else {
        throw WorkbenchError.forbidden("this server answers only to 127.0.0.1, localhost or [::1]")
      }
    }
  }

  static let hostField = HTTPField.Name.known("Host")

  static func cookie(for session: Session) -> Cookie {
    Cookie(name: sessionCookie, value: session.token, path: "/", httpOnly: true, sameSite: .strict)
  }

  func secured(_ response: Response) -> Response {
    var response = response
    response.headers[.contentSecurityPolicy] =
      "default-src 'self'; img-src 'self' data: blob:; media-src 'self'; style-src 'self'; "
      + "script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    response.headers[.contentTypeOptions] = "nosniff"
    response.headers[.frameOptions] = "DENY"
    response.headers[.referrerPolicy] = "no-referrer"
    return response
  }

  static func escapeQuery(_ text: String) -> String {
    text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"
  }
}
