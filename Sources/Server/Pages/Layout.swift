/// The page around every workbench view: navigation, who is logged in, the CSRF token for the
/// page's scripts, and the page's module. No inline script or style (the CSP forbids them).
enum Layout {
  struct Tab {
    var path: String
    var title: String
  }

  static let tabs = [
    Tab(path: "/", title: "Collection"), Tab(path: "/review", title: "Review"),
    Tab(path: "/agreement", title: "Agreement"), Tab(path: "/datasets", title: "Datasets"),
  ]

  static func page(
    title: String, active: String, session: Session?, blind: Bool = false, body: String,
    script: String? = nil,
    data: [String: String] = [:]
  ) -> String {
    let nav = tabs.map { tab -> String in
      "<a href=\"\(tab.path)\"\(tab.path == active ? " class=\"active\"" : "")>\(tab.title)</a>"
    }.joined()
    var who = ""
    if let session {
      who =
        "<span class=\"who\">\(HTML.escape(session.user)) · \(session.role.rawValue)\(blind ? " · blind" : "")</span>"
      if session.role == .admin {
        who += "<a href=\"/accounts\"\(active == "/accounts" ? " class=\"active\"" : "")>Accounts</a>"
      }
      if !session.local {
        who +=
          "<form method=\"post\" action=\"/logout\" class=\"logout\"><input type=\"hidden\" name=\"csrf\" "
          + "value=\"\(session.csrf)\"><button type=\"submit\">Log out</button></form>"
      }
    }
    let attributes = data.sorted { $0.key < $1.key }.map { (item) -> String in
      " data-\(item.key)=\"\(HTML.escape(item.value))\""
    }
    .joined()
    return """
      <!doctype html>
      <html lang="en">
      <head>
      <meta charset="utf-8">
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <meta name="csrf-token" content="\(session?.csrf ?? "")">
      <title>\(HTML.escape(title)) · Pleura</title>
      <link rel="stylesheet" href="/assets/app.css">
      </head>
      <body>
      <header><span class="brand">Pleura</span><nav>\(nav)</nav><span class="session">\(who)</span></header>
      <main id="app"\(attributes)>
      \(body)
      </main>
      \(script.map { "<script type=\"module\" src=\"/assets/\($0)\"></script>" } ?? "")
      </body>
      </html>
      """
  }

  static func errorPage(_ error: WorkbenchError, session: Session?) -> String {
    page(
      title: "Refused", active: "", session: session,
      body: "<h1>\(error.status.code) \(HTML.escape(error.status.reasonPhrase))</h1>"
        + "<p class=\"error\">\(HTML.escape(error.message))</p><p><a href=\"/\">Back to the collection</a></p>"
    )
  }
}
