import Hummingbird

/// The stylesheet and JavaScript modules, from the binary (see `WebAssets`). Names are looked up
/// in that list only: no path in a URL ever reaches the file system.
struct AssetRoutes {
  static let assets: [String: String] = Dictionary(
    WebAssets.files.map { ($0.name, $0.text) }, uniquingKeysWith: { a, _ in a })

  func add(to router: Router<WorkbenchContext>) {
    router.get("/assets/:name") { _, context in
      guard let name = context.parameters.get("name"), let text = Self.assets[name] else {
        throw WorkbenchError.notFound("that asset")
      }
      let type = name.hasSuffix(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8"
      return Reply.bytes(Array(text.utf8), type: type, cache: "no-cache")
    }
  }
}
