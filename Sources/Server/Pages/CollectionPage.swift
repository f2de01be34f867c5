import Curation
import Foundation
import Hummingbird

/// The collection: one row per video with its thumbnail, patient, label and who set it, ROI
/// status, duration, size, frame rate and site; filters and sorting as plain links and a GET
/// form, pages of 50 from SQL (see `CollectionQuery`).
enum CollectionPage {
  static func render(
    _ page: CollectionQuery.Page, query: CollectionQuery, parameters: [String: String], sites: [String],
    annotators: [String], session: Session, blind: Bool
  ) -> String {
    func link(_ changes: [String: String?]) -> String {
      var merged = parameters
      for (key, value) in changes { merged[key] = value }
      let items = merged.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }.map { (item) -> String in
        "\(item.key)=\(item.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
      }
      return HTML.escape("/?" + items.joined(separator: "&"))
    }
    func select(_ name: String, _ options: [(String, String)]) -> String {
      let current = parameters[name] ?? ""
      let items = ([("", "any")] + options).map { value, title -> String in
        "<option value=\"\(HTML.escape(value))\"\(value == current ? " selected" : "")>\(HTML.escape(title))</option>"
      }.joined()
      return "<select name=\"\(name)\">\(items)</select>"
    }
    var filters = """
      <form method="get" action="/" class="filters">
      <label>Label \(select("label", [("present", "present"), ("absent", "absent"), ("unknown", "unknown"), ("none", "none")]))</label>
      <label>ROI \(select("roi", [("none", "none"), ("suggested", "suggested"), ("confirmed", "confirmed")]))</label>
      <label>Patient <input name="patient" size="10" value="\(HTML.escape(parameters["patient"] ?? ""))"></label>
      <label>Site \(select("site", sites.map { ($0, $0) }))</label>
      """
    if !blind {
      filters += """
        <label>Annotator \(select("annotator", annotators.map { ($0, $0) }))</label>
        <label><input type="checkbox" name="disagreement" value="1"\(query.disagreement ? " checked" : "")> disagreement</label>
        """
    }
    filters += """
      <label><input type="checkbox" name="needs" value="1"\(query.needsWork ? " checked" : "")> needs work</label>
      <input type="hidden" name="sort" value="\(query.sort.rawValue)">
      <input type="hidden" name="order" value="\(query.descending ? "desc" : "asc")">
      <button type="submit">Filter</button> <a href="/">clear</a>
      </form>
      """
    func header(_ title: String, _ sort: CollectionQuery.Sort?) -> String {
      guard let sort else { return "<th>\(title)</th>" }
      let active = query.sort == sort
      let order = active && !query.descending ? "desc" : "asc"
      let arrow = active ? (query.descending ? " ▼" : " ▲") : ""
      return
        "<th><a href=\"\(link(["sort": sort.rawValue, "order": order, "page": nil]))\">\(title)\(arrow)</a></th>"
    }
    let rows = page.rows.map { row -> String in
      let label =
        row.label.map { label in
          "<span class=\"label \(label)\">\(label)</span>"
            + (row.labelAuthor.map {
              " <small>\(HTML.escape($0)) v\(row.labelVersion ?? 0)"
                + (row.labelAdjudicated ? " ✔" : "") + "</small>"
            } ?? "")
        } ?? "<span class=\"label none\">none</span>"
      let roi =
        "<span class=\"roi \(row.roiStatus)\">\(row.roiStatus)</span>"
        + (row.roiAuthor.map { " <small>\(HTML.escape($0)) v\(row.roiVersion ?? 0)</small>" } ?? "")
        + RoiConfidenceMark.html(row.roiConfidence)
      return """
        <tr\(row.disagreement ? " class=\"disagreement\"" : "")>
        <td><a href="/videos/\(row.id)"><img class="thumb" loading="lazy" alt="" src="/media/videos/\(row.id)/thumbnail.png"></a></td>
        <td><a href="/videos/\(row.id)">\(HTML.escape(row.fileName))</a><br><small>\(row.id)</small></td>
        <td>\(HTML.escape(row.patient))</td><td>\(label)</td><td>\(roi)\(row.disagreement ? " <span class=\"flag\">disagreement</span>" : "")</td>
        <td>\(String(format: "%.1f s", row.durationSeconds))</td><td>\(row.width)×\(row.height)</td>
        <td>\(String(format: "%.3g", row.fps))</td><td>\(HTML.escape(row.site))</td>
        </tr>
        """
    }.joined(separator: "\n")
    let pages = max(1, (page.total + page.perPage - 1) / page.perPage)
    var pager = "<p class=\"pager\">\(page.total) videos · page \(page.page) of \(pages)"
    if page.page > 1 { pager += " · <a href=\"\(link(["page": "\(page.page - 1)"]))\">previous</a>" }
    if page.page < pages { pager += " · <a href=\"\(link(["page": "\(page.page + 1)"]))\">next</a>" }
    pager += "</p>"
    return """
      <h1>Collection</h1>
      \(filters)
      \(pager)
      <table class="collection">
      <thead><tr>\(header("", nil))\(header("Video", .file))\(header("Patient", .patient))\(header("Label", .label))\(header("ROI", .roi))\(header("Duration", .duration))\(header("Size", .size))\(header("FPS", .fps))\(header("Site", .site))</tr></thead>
      <tbody>
      \(rows.isEmpty ? "<tr><td colspan=\"9\">No video matches.</td></tr>" : rows)
      </tbody>
      </table>
      \(pager)
      """
  }
}
