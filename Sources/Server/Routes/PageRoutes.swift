import Curation
import Foundation
import GRDB
import Hummingbird
import Platform
import Tiling
import Training

/// The workbench's pages. Tables are rendered here; the video and review pages are driven by
/// their modules (`web/video.js`, `web/review.js`) over the JSON API.
struct PageRoutes {
  let workbench: Workbench

  func add(to router: Router<WorkbenchContext>) {
    router.get("/") { request, context in try await collection(request, context) }
    router.get("/videos/:id") { _, context in try await video(context) }
    router.get("/review") { _, context in try review(context) }
    router.get("/agreement") { _, context in try await agreement(context) }
    router.get("/datasets") { _, context in try await datasets(context) }
    router.get("/datasets/:id") { _, context in try await dataset(context) }
    router.get("/report") { request, context in
      _ = try context.requireSession()
      let models = request.uri.queryParameters.getAll("model")
      for model in models where EntityKind.of(id: model) != .model {
        throw WorkbenchError.badRequest("'\(model.prefix(64))' is not a model id")
      }
      do {
        return Reply.html(try ExperimentReport.html(models: models, catalog: workbench.catalog))
      } catch let error as ReportData.ReportError {
        throw WorkbenchError.notFound(error.description)
      }
    }
    router.get("/accounts") { _, context in try await accounts(context) }
  }

  func page(
    _ context: WorkbenchContext, _ session: Session, title: String, active: String, body: String,
    script: String? = nil, data: [String: String] = [:]
  ) -> Response {
    Reply.html(
      Layout.page(
        title: title, active: active, session: session, blind: workbench.perspective(session).isBlind,
        body: body,
        script: script, data: data))
  }

  func collection(_ request: Request, _ context: WorkbenchContext) async throws -> Response {
    let session = try context.requireSession()
    let query = try ApiRoutes.collectionQuery(request.uri.queryParameters)
    let perspective = workbench.perspective(session)
    let (result, sites, annotators) = try await workbench.catalog.database.read { db in
      (
        try query.run(perspective, in: db), try CollectionQuery.sites(in: db),
        try CollectionQuery.annotators(in: db)
      )
    }
    var parameters: [String: String] = [:]
    for name in [
      "label", "roi", "patient", "site", "annotator", "disagreement", "needs", "sort", "order", "page",
    ] {
      if let value = request.uri.queryParameters.get(name), !value.isEmpty { parameters[name] = value }
    }
    let body = CollectionPage.render(
      result, query: query, parameters: parameters, sites: sites, annotators: annotators, session: session,
      blind: perspective.isBlind)
    return page(context, session, title: "Collection", active: "/", body: body)
  }

  func video(_ context: WorkbenchContext) async throws -> Response {
    let session = try context.requireSession()
    let id = try context.id("id", of: .sourceVideo)
    let (video, recipes) = try await workbench.catalog.database.read { db in
      (try SourceVideo.fetchOne(db, key: id), try Dataset.fetchAll(db).map(\.recipeJson))
    }
    guard let video else { throw WorkbenchError.notFound("video \(id)") }
    // The tile sizes of the recipes this catalog has built (and the study's three) for the grid.
    var sizes: Set<Int> = [30, 60, 90]
    for json in recipes {
      if let recipe = try? JSONDecoder().decode(DatasetRecipe.self, from: Data(json.utf8)),
        recipe.kind == .cubes
      {
        sizes.insert(recipe.tileSize)
      }
    }
    let body = """
      <h1>\(HTML.escape(video.fileName)) <small>\(video.id)</small></h1>
      <div class="workspace">
      <section class="player">
      <div class="stage"><video id="video" muted playsinline preload="auto"></video><canvas id="overlay"></canvas></div>
      <div class="controls">
      <button id="play" title="Play or pause (space)">Play</button>
      <button id="back" title="Previous frame (←)">◀ frame</button>
      <button id="forward" title="Next frame (→)">frame ▶</button>
      <label>Speed <select id="speed"><option>0.25</option><option>0.5</option><option selected>1</option><option>1.5</option><option>2</option></select></label>
      <span id="time" class="time">0.000 s · frame 0</span>
      </div>
      <div class="mmode"><img id="mmode" alt="M-mode of the column under the cursor"><span id="mmode-caption">M-mode: move over the video; click to pin a column</span></div>
      </section>
      <aside class="panel">
      <section><h2>Label</h2>
      <div class="labels"><button data-label="present" title="Present (P)">Present <kbd>P</kbd></button><button data-label="absent" title="Absent (A)">Absent <kbd>A</kbd></button><button data-label="unknown" title="Unknown (U)">Unknown <kbd>U</kbd></button></div>
      <p id="label-status"></p></section>
      <section><h2>ROI</h2>
      <p id="roi-status"></p>
      <div class="roi-tools"><button id="accept" title="Accept the suggestion (Enter)">Accept suggestion <kbd>Enter</kbd></button><button id="save-roi" title="Save the drawn ROI (S)">Save ROI <kbd>S</kbd></button>
      <label><input type="checkbox" id="use-range"> frames <input id="range-start" type="number" min="0" size="5"> – <input id="range-end" type="number" min="0" size="5"></label></div>
      <div class="grid-tools"><label>Tile grid <select id="tile"><option value="0">off</option>\(sizes.sorted().map { (size) -> String in "<option value=\"\(size)\"\(size == 30 ? " selected" : "")>\(size) px</option>" }.joined())</select></label>
      <label><select id="rows"><option value="2">2 rows</option><option value="all">all rows</option></select></label></div>
      <p class="hint">Drag on the frame to draw; drag the box to move it, its corner to resize it.</p></section>
      <section><h2>Notes</h2><p class="hint">Notes stay at this site; no bundle carries them.</p>
      <ul id="notes"></ul><textarea id="note" rows="2" maxlength="4000"></textarea><button id="add-note">Add note</button></section>
      <section><button id="next" title="Next video needing work (N)">Next video needing work <kbd>N</kbd></button></section>
      <section><h2>History</h2><table id="history"><thead><tr><th>what</th><th>v</th><th>value</th><th>by</th><th>when</th></tr></thead><tbody></tbody></table></section>
      <p id="message" role="status"></p>
      </aside>
      </div>
      """
    return page(
      context, session, title: video.fileName, active: "", body: body, script: "video.js",
      data: ["video": video.id, "role": session.role.rawValue])
  }

  func review(_ context: WorkbenchContext) throws -> Response {
    let session = try context.requireSession()
    guard session.role >= .reviewer else {
      return page(
        context, session, title: "Review", active: "/review",
        body:
          "<h1>Review</h1><p>Reviewing disagreements needs a reviewer's account; \(HTML.escape(session.user)) is a curator.</p>"
      )
    }
    let body = """
      <h1>Review</h1>
      <p class="hint">Videos whose annotators disagree: different labels, or ROIs overlapping less than
      <input id="iou" type="number" min="0" max="1" step="0.05" value="0.5"> IoU. A decision is recorded as the adjudicated version.</p>
      <div id="review"></div><p id="message" role="status"></p>
      """
    return page(context, session, title: "Review", active: "/review", body: body, script: "review.js")
  }

  func agreement(_ context: WorkbenchContext) async throws -> Response {
    let session = try context.requireSession()
    let pairs = try await workbench.catalog.database.read { db in try Agreement.pairs(in: db) }
    let rows = pairs.map { pair -> String in
      """
      <tr><td>\(HTML.escape(pair.annotatorA))</td><td>\(HTML.escape(pair.annotatorB))</td>
      <td>\(pair.labelVideos)</td><td>\(pair.labelsAgreeing)</td><td>\(pair.kappa.map { String(format: "%.3f", $0) } ?? "–")</td>
      <td>\(pair.roiVideos)</td><td>\(pair.meanIoU.map { String(format: "%.3f", $0) } ?? "–")</td></tr>
      """
    }.joined(separator: "\n")
    let body = """
      <h1>Agreement</h1>
      <p class="hint">Each annotator's latest version of each video; adjudicated versions excluded. Kappa is
      Cohen's over present / absent / unknown on the videos both labelled; IoU is in source pixels.
      The same table: <code>pleura agreement --json</code>.</p>
      <table class="agreement"><thead><tr><th>Annotator A</th><th>Annotator B</th><th>Videos labelled by both</th>
      <th>Same label</th><th>Cohen's κ</th><th>Videos with both ROIs</th><th>Mean IoU</th></tr></thead>
      <tbody>\(rows.isEmpty ? "<tr><td colspan=\"7\">No two annotators have annotated the same video yet.</td></tr>" : rows)</tbody></table>
      """
    return page(context, session, title: "Agreement", active: "/agreement", body: body)
  }

  func datasets(_ context: WorkbenchContext) async throws -> Response {
    let session = try context.requireSession()
    let datasets = try DatasetViews.list(workbench.catalog)
    let models = try ModelViews.models(workbench.catalog)
    let datasetRows = datasets.map { row -> String in
      """
      <tr><td><a href="/datasets/\(row.id)">\(HTML.escape(row.reference))</a></td><td>\(row.id)</td><td>\(HTML.escape(row.site))</td><td>\(row.cubes)</td>
      <td>\(row.videos)</td><td>\(row.patients)</td><td>\(row.skipped)</td><td>\(HTML.escape(row.createdAt))</td></tr>
      """
    }.joined(separator: "\n")
    let modelRows = models.map { row -> String in
      """
      <tr><td><a href="/report?model=\(row.id)">\(row.id)</a></td><td>\(HTML.escape(row.architecture))</td><td>\(HTML.escape(row.dataset))</td>
      <td>\(row.chosenEpoch)</td><td>\(row.evaluations)</td><td>\(HTML.escape(row.createdAt))</td></tr>
      """
    }.joined(separator: "\n")
    let body = """
      <h1>Datasets</h1>
      <table><thead><tr><th>Dataset</th><th>Id</th><th>Site</th><th>Cubes</th><th>Videos</th><th>Patients</th><th>Skipped</th><th>Built</th></tr></thead>
      <tbody>\(datasetRows.isEmpty ? "<tr><td colspan=\"8\">No dataset yet: <code>pleura dataset build RECIPE</code>.</td></tr>" : datasetRows)</tbody></table>
      <h2>Models and experiments</h2>
      <p class="hint">\(models.isEmpty ? "" : "<a href=\"/report\">The report of every model</a> (Table 4, curves, ROC, confusion, saliency) — the same file as <code>pleura report -o report.html</code>.")</p>
      <table><thead><tr><th>Model</th><th>Architecture</th><th>Dataset</th><th>Chosen epoch</th><th>Evaluations</th><th>Trained</th></tr></thead>
      <tbody>\(modelRows.isEmpty ? "<tr><td colspan=\"6\">No model yet: <code>pleura train NAME@V</code>.</td></tr>" : modelRows)</tbody></table>
      """
    return page(context, session, title: "Datasets", active: "/datasets", body: body)
  }

  func dataset(_ context: WorkbenchContext) async throws -> Response {
    let session = try context.requireSession()
    let id = try context.id("id", of: .dataset)
    let (found, splits, samples) = try await workbench.catalog.database.read { db in
      guard let found = try Dataset.fetchOne(db, key: id) else {
        throw WorkbenchError.notFound("dataset \(id)")
      }
      let splits = try Split.filter(Split.Columns.datasetId == id).fetchAll(db).map {
        ($0, try DatasetViews.splitCounts($0.id, in: db))
      }
      return (found, splits, try CubeFrames.samples(dataset: id, in: db))
    }
    let summary = try DatasetViews.summary(found)
    // Each video's ROI version's confidence (an automatic suggestion's): low-confidence ones are marked.
    let roiConfidence = try await workbench.catalog.database.read { db in
      var confidence: [String: Double] = [:]
      for video in summary.videos {
        let version = try RoiAnnotation.history(forVideo: video.video, in: db).first {
          $0.version == video.roiVersion
        }
        if let value = version?.confidence { confidence[video.video] = value }
      }
      return confidence
    }
    let labels = summary.perLabel.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(
      separator: ", ")
    let skipped = summary.skipped.isEmpty ? "" : "; \(summary.skipped.count) videos skipped"
    var body = "<h1>\(HTML.escape(found.reference)) <small>\(found.id)</small></h1>"
    body +=
      "<p>\(summary.cubes) cubes from \(summary.videos.count) videos of \(summary.perPatient.count) patients; "
    body += labels + skipped + ".</p>"
    for (split, counts) in splits {
      body += "<h2>Split \(split.id) <small>seed \(split.seed)</small></h2><table><thead><tr><th>Part</th>"
      body += "<th>Label</th><th>Patients</th><th>Videos</th><th>Cubes</th></tr></thead><tbody>"
      for count in counts {
        let cells = [
          count.part, HTML.escape(count.label), "\(count.patients)", "\(count.videos)", "\(count.cubes)",
        ]
        body += "<tr>" + cells.map { (cell) -> String in "<td>\(cell)</td>" }.joined() + "</tr>"
      }
      body += "</tbody></table>"
    }
    body +=
      "<h2>Sample cubes</h2><p class=\"hint\">Every \(CubeFrames.every)th frame of each cube, looping.</p>"
    body += "<div class=\"samples\">"
    for cube in samples {
      let caption = "\(cube.label.rawValue), clip \(cube.clipIndex + 1)"
      body += "<figure><canvas data-cube=\"\(cube.id)\" data-size=\"\(cube.size)\"></canvas>"
      body += "<figcaption>\(caption)</figcaption></figure>"
    }
    body += "</div><h2>Videos</h2><table><thead><tr><th>Video</th><th>Patient</th><th>Label</th><th>ROI</th>"
    body += "<th>Tiles per clip</th><th>Clips</th><th>Cubes</th></tr></thead><tbody>"
    for video in summary.videos {
      let link = "<a href=\"/videos/\(video.video)\">\(HTML.escape(video.fileName))</a>"
      let label = HTML.escape(video.label) + (video.labelVersion.map { " v\($0)" } ?? "")
      let cells = [
        link, HTML.escape(video.patient), label,
        "v\(video.roiVersion)" + RoiConfidenceMark.html(roiConfidence[video.video]), "\(video.tilesPerClip)",
        "\(video.clips)",
        "\(video.cubes)",
      ]
      body += "<tr>" + cells.map { (cell) -> String in "<td>\(cell)</td>" }.joined() + "</tr>"
    }
    body += "</tbody></table>"
    return page(
      context, session, title: found.reference, active: "/datasets", body: body, script: "datasets.js")
  }

  func accounts(_ context: WorkbenchContext) async throws -> Response {
    let session = try context.require(.admin)
    let users = try Accounts.all(in: workbench.catalog)
    let rows = users.map { (user: WorkbenchUser) -> String in
      "<tr><td>\(HTML.escape(user.name))</td><td>\(user.role.rawValue)</td><td>\(HTML.escape(user.createdAt))</td></tr>"
    }.joined()
    let body = """
      <h1>Accounts</h1>
      <table><thead><tr><th>Name</th><th>Role</th><th>Added</th></tr></thead><tbody>\(rows.isEmpty ? "<tr><td colspan=\"3\">No account yet: anyone on this machine edits as \(HTML.escape(workbench.localUser)).</td></tr>" : rows)</tbody></table>
      <h2>Add an account</h2>
      <form id="add-user" class="login"><label>Name <input name="name" required></label>
      <label>Role <select name="role"><option>curator</option><option>reviewer</option><option>admin</option></select></label>
      <label>Password <input name="password" type="password" minlength="10" required></label><button type="submit">Add</button></form>
      <p id="message" role="status"></p>
      """
    return page(context, session, title: "Accounts", active: "/accounts", body: body, script: "accounts.js")
  }
}
