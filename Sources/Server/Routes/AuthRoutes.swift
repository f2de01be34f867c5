import Curation
import Foundation
import Hummingbird
import Platform

/// Logging in and out. The login form carries a token that must match a cookie set with it (a
/// page on another site can read neither), so a login cannot be forged either.
struct AuthRoutes {
  static let loginCookie = "pleura_login"
  let workbench: Workbench

  func add(to router: Router<WorkbenchContext>) {
    router.get("/login") { request, context in try loginPage(request, context) }
    router.post("/login") { request, context in try await login(request, context) }
    router.post("/logout") { request, context in try await logout(request, context) }
  }

  func loginPage(_ request: Request, _ context: WorkbenchContext, failed: Bool = false) throws -> Response {
    if context.session != nil, !failed { return Reply.redirect("/") }
    // One token per browser: a second login page (another tab, or a request the browser makes on
    // its own, like /favicon.ico, sent here) must not invalidate the form already shown.
    let existing = request.cookies[Self.loginCookie]?.value
    let token =
      existing.flatMap { $0.count == 64 && $0.allSatisfy(\.isHexDigit) ? $0 : nil }
      ?? SessionStore.randomToken()
    let next = safeNext(request.uri.queryParameters.get("next"))
    let body = """
      <h1>Log in</h1>
      \(failed ? "<p class=\"error\">Wrong name or password.</p>" : "")
      <form method="post" action="/login" class="login">
      <input type="hidden" name="csrf" value="\(token)">
      <input type="hidden" name="next" value="\(HTML.escape(next))">
      <label>Name <input name="name" autocomplete="username" required autofocus></label>
      <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
      <button type="submit">Log in</button>
      </form>
      """
    var response = Reply.html(
      Layout.page(title: "Log in", active: "", session: nil, body: body), status: failed ? .unauthorized : .ok
    )
    response.setCookie(
      Cookie(name: Self.loginCookie, value: token, maxAge: 3600, path: "/", httpOnly: true, sameSite: .strict)
    )
    return response
  }

  func login(_ request: Request, _ context: WorkbenchContext) async throws -> Response {
    var request = request
    let form = try await request.form()
    guard let cookie = request.cookies[Self.loginCookie]?.value, let token = form["csrf"],
      SessionStore.same(cookie, token)
    else { throw WorkbenchError.forbidden("the login form has no valid CSRF token; reload the page") }
    let name = form["name"] ?? ""
    let password = form["password"] ?? ""
    let user = try Accounts.find(name, in: workbench.catalog)
    // The hash is computed even for an unknown name, so that timing does not tell which names exist.
    let stored = user?.passwordHash ?? Self.decoyHash
    guard PasswordHash.verify(password, against: stored), let user else {
      context.logger.notice("failed login for an account name of \(name.count) characters")
      return try loginPage(request, context, failed: true)
    }
    let session = workbench.sessions.create(user: user.name, role: user.role)
    var response = Reply.redirect(safeNext(form["next"]))
    response.setCookie(WorkbenchMiddleware.cookie(for: session))
    return response
  }

  func logout(_ request: Request, _ context: WorkbenchContext) async throws -> Response {
    var request = request
    let form = try await request.form()
    guard let session = context.session, let token = form["csrf"], SessionStore.same(token, session.csrf)
    else {
      throw WorkbenchError.forbidden("the request has no valid CSRF token; reload the page")
    }
    workbench.sessions.remove(session.token)
    var response = Reply.redirect("/login")
    response.setCookie(
      Cookie(
        name: WorkbenchMiddleware.sessionCookie, value: "", maxAge: 0, path: "/", httpOnly: true,
        sameSite: .strict))
    return response
  }

  /// Only a path on this server: never `//elsewhere` or `https://elsewhere`.
  func safeNext(_ next: String?) -> String {
    guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\"),
      !next.unicodeScalars.contains(where: { $0.value < 0x20 })
    else { return "/" }
    return next
  }

  /// A hash of nothing anyone knows, verified against when the name is unknown.
  static let decoyHash: String = (try? PasswordHash.make(SessionStore.randomToken())) ?? ""
}
