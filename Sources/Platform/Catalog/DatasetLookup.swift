import GRDB

extension Dataset {
  /// The name listings print: `NAME@V`, after `SITE/` when the dataset is another site's
  /// (`site-21be428c/all_30x30@2`). `Dataset.find` takes it back.
  public func listedName(site: Site?) -> String {
    guard let site, !site.isLocal else { return reference }
    return site.name + "/" + reference
  }

  /// Finds a dataset by any name a listing prints: `NAME@V`, `NAME` (the newest version),
  /// either after `SITE/`, or a dataset id (or a unique prefix of one). Without a site, this
  /// site's datasets come first; a name that only other sites hold must name one site.
  public static func find(_ text: String, in db: Database) throws -> Dataset {
    let sites = try Site.fetchAll(db)
    var siteIDs = Set(sites.map(\.id))
    var nameAndVersion = Substring(text)
    if let slash = text.lastIndex(of: "/") {
      let siteName = String(text[..<slash])
      // Listings show a name with control characters escaped: that form is accepted too.
      siteIDs = Set(sites.filter { $0.name == siteName || $0.name.escapedForMessage == siteName }.map(\.id))
      guard !siteIDs.isEmpty else { throw DatasetLookupError.unknownSite(siteName, reference: text) }
      nameAndVersion = text[text.index(after: slash)...]
    }
    let parts = nameAndVersion.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
    var request = Dataset.filter(Columns.name == String(parts[0]))
    if parts.count == 2 {
      guard let version = Int(parts[1]) else { throw DatasetLookupError.badReference(text) }
      request = request.filter(Columns.version == version)
    }
    let candidates = try request.fetchAll(db).filter { siteIDs.contains($0.siteId) }
    let local = sites.first(where: \.isLocal)?.id
    let pool =
      candidates.contains { $0.siteId == local } ? candidates.filter { $0.siteId == local } : candidates
    guard let newest = pool.max(by: { $0.version < $1.version }) else {
      if EntityKind.of(id: text) == .dataset {
        let ref = try EntityLookup.resolve(text, as: [.dataset], in: db)
        if let byID = try Dataset.fetchOne(db, key: ref.id) { return byID }
      } else if EntityKind.of(id: text) != nil, let ref = try? EntityLookup.resolve(text, in: db) {
        throw CatalogError.wrongKind(ref.id, is: ref.kind, expected: [.dataset])
      }
      throw DatasetLookupError.notFound(
        text, suggestion: try closestListedName(to: text, in: db, sites: sites))
    }
    let sitesHolding = Set(pool.map(\.siteId))
    guard sitesHolding.count == 1 else {
      let bySite = Dictionary(uniqueKeysWithValues: sites.map { ($0.id, $0) })
      throw DatasetLookupError.ambiguous(
        text, candidates: pool.map { $0.listedName(site: bySite[$0.siteId]) }.sorted())
    }
    return newest
  }

  /// The listed name closest to `text`, compared with and without its site and version.
  static func closestListedName(to text: String, in db: Database, sites: [Site]) throws -> String? {
    let bySite = Dictionary(uniqueKeysWithValues: sites.map { ($0.id, $0) })
    var listedByForm: [String: String] = [:]
    for dataset in try Dataset.fetchAll(db) {
      let listed = dataset.listedName(site: bySite[dataset.siteId])
      listedByForm[listed] = listed
      for form in [dataset.reference, dataset.name] where listedByForm[form] == nil {
        listedByForm[form] = listed
      }
    }
    return NameSuggestion.closest(to: text, in: listedByForm.keys.sorted()).flatMap { listedByForm[$0] }
  }
}

public enum DatasetLookupError: Error, CustomStringConvertible {
  case badReference(String)
  case notFound(String, suggestion: String?)
  case unknownSite(String, reference: String)
  case ambiguous(String, candidates: [String])

  public var description: String {
    switch self {
    case .badReference(let text):
      "'\(text.escapedForMessage)' is not NAME@VERSION (VERSION is a whole number)"
    case .notFound(let text, let suggestion):
      "no dataset \(text.escapedForMessage) in this catalog"
        + (suggestion.map { "; did you mean \($0.escapedForMessage)?" } ?? " (see `pleura dataset list`)")
    case .unknownSite(let site, let reference):
      "no site named '\(site.escapedForMessage)' in this catalog for \(reference.escapedForMessage)"
        + " (see `pleura dataset list`)"
    case .ambiguous(let text, let candidates):
      "\(text.escapedForMessage) names datasets of several sites: "
        + candidates.map(\.escapedForMessage).joined(separator: ", ") + "; give SITE/NAME@V"
    }
  }
}
