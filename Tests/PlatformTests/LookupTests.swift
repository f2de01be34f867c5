import Foundation
import GRDB
import TestSupport
import Testing

@testable import Platform

/// `EntityLookup.resolve` and `Dataset.find`: every id prefix and dataset name a listing prints
/// resolves, and what does not is refused with the candidates.
@Suite struct LookupTests {
  static func site(_ name: String, in db: Database) throws -> Site {
    let site = Site(
      id: EntityKind.site.newID(), name: name, uuid: UUID().uuidString, isLocal: false,
      createdAt: "2026-01-01T00:00:00Z")
    try site.insert(db)
    return site
  }

  @discardableResult
  static func dataset(_ name: String, _ version: Int, site: String, in db: Database) throws -> Dataset {
    let dataset = Dataset(
      id: EntityKind.dataset.newID(), siteId: site, name: name, version: version, recipeJson: "{}",
      summaryJson: "{}", createdAt: "2026-01-01T00:00:00Z")
    try dataset.insert(db)
    return dataset
  }

  @Test func prefixesResolveWhenUniqueAndListTheirMatchesWhenNot() throws {
    let test = try TestCatalog()
    defer { test.cleanUp() }
    let patients = try test.catalog.database.write { db in
      try ["P1", "P2", "P3"].map {
        try Patient.findOrCreate(code: $0, siteID: test.catalog.localSite.id, in: db).0.id
      }
    }
    func resolve(_ text: String, as kinds: [EntityKind]? = nil) throws -> EntityRef {
      try test.catalog.database.read { db in
        try kinds.map { try EntityLookup.resolve(text, as: $0, in: db) } ?? EntityLookup.resolve(text, in: db)
      }
    }
    for id in patients { #expect(try resolve(String(id.prefix(12))) == EntityRef(.patient, id)) }
    #expect(throws: CatalogError.ambiguousID("pat_", matches: patients.sorted())) { try resolve("pat_") }
    let short = String(patients[0].prefix(5))
    let matching = patients.filter { $0.hasPrefix(short) }.sorted()
    let expected: CatalogError =
      matching.count == 1
      ? .shortID(short, kindPrefix: "pat", matches: matching) : .ambiguousID(short, matches: matching)
    #expect(throws: expected) { try resolve(short) }
    #expect(throws: CatalogError.notAnID("P1")) { try resolve("P1") }
    #expect(throws: CatalogError.wrongKind(patients[0], is: .patient, expected: [.model])) {
      try resolve(patients[0], as: [.model])
    }
    #expect(
      CatalogError.wrongKind("eval_1", is: .evaluation, expected: [.roi, .model]).description
        == "eval_1 is an evaluation, not an ROI annotation or a model")
  }

  @Test func datasetsResolveByEveryNameAListingPrints() throws {
    let test = try TestCatalog()
    defer { test.cleanUp() }
    let local = test.catalog.localSite.id
    let (north, south, hostile) = try test.catalog.database.write { db in
      (
        try Self.site("North", in: db), try Self.site("South", in: db),
        try Self.site("Bad\u{1b}[2J/site", in: db)
      )
    }
    let made = try test.catalog.database.write { db in
      [
        "demo@1": try Self.dataset("demo", 1, site: local, in: db),
        "demo@2": try Self.dataset("demo", 2, site: local, in: db),
        "North/demo@1": try Self.dataset("demo", 1, site: north.id, in: db),
        "North/shared@1": try Self.dataset("shared", 1, site: north.id, in: db),
        "South/shared@1": try Self.dataset("shared", 1, site: south.id, in: db),
        "South/only@3": try Self.dataset("only", 3, site: south.id, in: db),
        "hostile@1": try Self.dataset("odd", 1, site: hostile.id, in: db),
      ]
    }
    func find(_ text: String) throws -> String {
      try test.catalog.database.read { db in try Dataset.find(text, in: db).id }
    }
    func refusal(_ text: String) -> String {
      do {
        return "found \(try find(text))"
      } catch {
        return "\(error)"
      }
    }
    let bySite = try test.catalog.database.read { db in
      Dictionary(uniqueKeysWithValues: try Site.fetchAll(db).map { ($0.id, $0) })
    }
    // What listings print finds the dataset it was printed for, and so does the escaped form.
    for dataset in made.values {
      let listed = dataset.listedName(site: bySite[dataset.siteId])
      #expect(try find(listed) == dataset.id, "\(listed)")
      #expect(try find(listed.escapedForMessage) == dataset.id, "\(listed) escaped")
      #expect(try find(dataset.id) == dataset.id)
    }
    #expect(made["hostile@1"]?.listedName(site: bySite[hostile.id]) == "Bad\u{1b}[2J/site/odd@1")
    // Local first; NAME alone is the newest version; another site's by its name alone when only
    // one site holds it.
    #expect(try find("demo@1") == made["demo@1"]?.id)
    #expect(try find("demo") == made["demo@2"]?.id)
    #expect(try find("North/demo") == made["North/demo@1"]?.id)
    #expect(try find("only") == made["South/only@3"]?.id)
    #expect(
      refusal("shared@1")
        == "shared@1 names datasets of several sites: North/shared@1, South/shared@1; give SITE/NAME@V")
    #expect(refusal("onyl") == "no dataset onyl in this catalog; did you mean South/only@3?")
    #expect(refusal("West/demo@1").hasPrefix("no site named 'West' in this catalog"))
    #expect(refusal("demo@two") == "'demo@two' is not NAME@VERSION (VERSION is a whole number)")
    #expect(refusal(made["demo@1"]!.id.replacingOccurrences(of: "ds_", with: "vid_")).hasPrefix("no "))
  }
}
