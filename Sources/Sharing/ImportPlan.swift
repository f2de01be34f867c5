import Foundation
import GRDB
import Platform

/// What an import will write, decided against the catalog as it is: rows already here (same id,
/// same content) are skipped, a bundle with nothing new is a no-op, and any row that claims an
/// existing id or name with other content is a conflict. A dataset imported before may come
/// again with more: a later bundle of it with its models adds the models.
struct ImportPlan {
  var alreadyImported = false
  var existing: Set<String> = []
  /// The bundle's dataset is already here, and with it (datasets never change) its cubes.
  var datasetHere = false

  static func make(_ content: BundleContent, in db: Database) throws -> ImportPlan {
    var plan = ImportPlan()
    let dataset = content.datasets[0]
    if let here = try Dataset.fetchOne(db, key: dataset.id) {
      guard here == dataset else {
        throw ImportError.conflict(
          "dataset \(dataset.id) is already here with other content; refusing the bundle")
      }
      let cubesHere = try String.fetchSet(
        db, sql: "SELECT id FROM cube WHERE dataset_id = ?", arguments: [dataset.id])
      guard cubesHere == Set(content.cubes.map(\.id)) else {
        throw ImportError.conflict(
          "dataset \(dataset.id) is already here with other cubes; refusing the bundle")
      }
      plan.datasetHere = true
      plan.existing.insert(dataset.id)
    } else if let clash = try Dataset.filter(
      Dataset.Columns.siteId == dataset.siteId && Dataset.Columns.name == dataset.name
        && Dataset.Columns.version == dataset.version
    ).fetchOne(db) {
      throw ImportError.conflict(
        "\(dataset.reference) of this site is already here as \(clash.id) with other content; refusing the bundle"
      )
    }
    for site in content.sites {
      let byID = try Site.fetchOne(db, key: site.id)
      let byUUID = try Site.filter(Site.Columns.uuid == site.uuid).fetchOne(db)
      if byID?.uuid ?? site.uuid != site.uuid || byUUID?.id ?? site.id != site.id {
        throw ImportError.conflict(
          "site \(site.name) (\(site.uuid)) does not match the site this catalog knows by that id")
      }
    }
    func check<R: CatalogRecord & Equatable>(_ rows: [R], _ id: (R) -> String) throws {
      for row in rows {
        guard let here = try R.fetchOne(db, key: id(row)) else { continue }
        guard here == row else {
          throw ImportError.conflict(
            "\(id(row)) is already in this catalog with other content; refusing the bundle")
        }
        plan.existing.insert(id(row))
      }
    }
    try check(content.patients, \.id)
    try check(content.sourceVideos, \.id)
    try check(content.conversions, \.id)
    try check(content.roiAnnotations, \.id)
    try check(content.labelAnnotations, \.id)
    try check(content.splits, \.id)
    try check(content.models, \.id)
    try check(content.evaluations, \.id)
    // The schema's other unique keys, so that a clash is named here and not by SQLite later.
    func refuseClashes<R: CatalogRecord>(
      _ rows: [R], _ id: (R) -> String, sameKey: (R) -> SQLExpression, named: (R) -> String
    ) throws {
      for row in rows where !plan.existing.contains(id(row)) {
        if try R.filter(sameKey(row)).fetchCount(db) > 0 {
          throw ImportError.conflict("\(named(row)) is already here under another id")
        }
      }
    }
    try refuseClashes(
      content.patients, \.id,
      sameKey: { Patient.Columns.siteId == $0.siteId && Patient.Columns.code == $0.code },
      named: { "patient \($0.code) of site \($0.siteId)" })
    try refuseClashes(
      content.sourceVideos, \.id,
      sameKey: { SourceVideo.Columns.siteId == $0.siteId && SourceVideo.Columns.blobSha256 == $0.blobSha256 },
      named: { "video \($0.id) of site \($0.siteId)" })
    try checkRuns(content, in: db)
    try refuseClashes(
      content.conversions, \.id,
      sameKey: {
        Conversion.Columns.sourceVideoId == $0.sourceVideoId
          && Conversion.Columns.parametersJson == $0.parametersJson
      },
      named: { "conversion \($0.id) of video \($0.sourceVideoId)" })
    try refuseClashes(
      content.roiAnnotations, \.id,
      sameKey: {
        RoiAnnotation.Columns.sourceVideoId == $0.sourceVideoId && RoiAnnotation.Columns.version == $0.version
      },
      named: { "ROI version \($0.version) of video \($0.sourceVideoId)" })
    try refuseClashes(
      content.labelAnnotations, \.id,
      sameKey: {
        LabelAnnotation.Columns.sourceVideoId == $0.sourceVideoId
          && LabelAnnotation.Columns.version == $0.version
      },
      named: { "label version \($0.version) of video \($0.sourceVideoId)" })
    let rows =
      content.patients.map(\.id) + content.sourceVideos.map(\.id) + content.conversions.map(\.id)
      + content.roiAnnotations.map(\.id) + content.labelAnnotations.map(\.id) + content.splits.map(\.id)
      + content.models.map(\.id)
      + content.evaluations.map(\.id)
    plan.alreadyImported = plan.datasetHere && rows.allSatisfy(plan.existing.contains)
    return plan
  }

  /// Models and evaluations the import adds.
  func newModels(_ content: BundleContent) -> [EntityRef] {
    content.models.filter { !existing.contains($0.id) }.map { EntityRef(.model, $0.id) }
      + content.evaluations.filter { !existing.contains($0.id) }.map { EntityRef(.evaluation, $0.id) }
  }

  /// Runs are records of what happened: one already here must come back unchanged, and may gain
  /// edges only to entities this bundle brings (outputs of that run we had not been sent
  /// before, as a second dataset from the same collection brings). An edge that would make an
  /// entity already here the input or output of another site's run is refused: it would rewrite
  /// that entity's provenance. (Rows are written with "ignore on conflict" below, so without this
  /// such changes would be dropped or added silently.)
  static func checkRuns(_ content: BundleContent, in db: Database) throws {
    var runsHere: Set<String> = []
    for run in content.runs {
      guard let here = try Run.fetchOne(db, key: run.id) else { continue }
      guard here == run else {
        throw ImportError.conflict("run \(run.id) is already here with other content; refusing the bundle")
      }
      runsHere.insert(run.id)
    }
    for edge in content.runEdges where runsHere.contains(edge.runId) {
      let known = try RunEdge.all().edges(edge.direction, ofRun: edge.runId)
        .filter(RunEdge.Columns.entityId == edge.entityId).fetchCount(db)
      guard known == 0 else { continue }
      if try EntityLookup.exists(EntityRef(edge.entityKind, edge.entityId), in: db) {
        throw ImportError.conflict(
          "the bundle would make \(edge.entityId), already here, an \(edge.direction.rawValue) of run "
            + "\(edge.runId); refusing the bundle")
      }
    }
  }

  /// Writes everything in the caller's transaction; returns the number of rows added.
  func write(_ content: BundleContent, in db: Database, importRunID: String) throws -> Int {
    var rows = 0
    func insert<R: CatalogRecord>(_ records: [R], _ id: (R) -> String) throws {
      for record in records where !existing.contains(id(record)) {
        try record.insert(db)
        rows += 1
      }
    }
    for site in content.sites where try Site.fetchOne(db, key: site.id) == nil {
      try site.insert(db)
      rows += 1
    }
    for blob in content.blobs {
      try blob.insert(db, onConflict: .ignore)
      if blob.stored {
        // The bytes are here and checked, so their size wins over one that an earlier bundle
        // claimed, unchecked, for a blob whose bytes it did not ship.
        try db.execute(
          sql: "UPDATE blob SET stored = 1, size = ? WHERE sha256 = ?", arguments: [blob.size, blob.sha256])
      }
    }
    try insert(content.patients, \.id)
    try insert(content.sourceVideos, \.id)
    try insert(content.conversions, \.id)
    // Versions in order, so each one's predecessor is already there.
    try insert(
      content.roiAnnotations.sorted { ($0.sourceVideoId, $0.version) < ($1.sourceVideoId, $1.version) }, \.id)
    try insert(
      content.labelAnnotations.sorted { ($0.sourceVideoId, $0.version) < ($1.sourceVideoId, $1.version) },
      \.id)
    try insert(content.datasets, \.id)
    if !datasetHere {
      try Cube.insert(content.cubes, in: db)
      rows += content.cubes.count
    }
    try insert(content.splits, \.id)
    for assignment in content.splitAssignments where !existing.contains(assignment.splitId) {
      try assignment.insert(db)
      rows += 1
    }
    // After the splits they were trained on; evaluations after their models.
    try insert(content.models, \.id)
    try insert(content.evaluations, \.id)
    for run in content.runs { try run.insert(db, onConflict: .ignore) }
    for edge in content.runEdges { try edge.insert(db, onConflict: .ignore) }
    // The import run brought these here; the runs that made them stay their makers in lineage.
    for entity in [EntityRef(.dataset, content.datasets[0].id)] + newModels(content) {
      try RunEdge(runId: importRunID, direction: .output, entity: entity, role: "imported").insert(db)
    }
    return rows
  }
}
