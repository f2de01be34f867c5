import Foundation
import GRDB
import Platform

/// The sidecar CSV of a shard an external plugin made, in the tile plugin's layout
/// (`TilePlugin.sidecar`): one row per cube in shard order. All rows of a shard come from one
/// conversion cut with one ROI version, as in a built dataset.
struct ExternalSidecar {
  static let header =
    "index,clip,first_frame,frames,tile_row,tile_col,x,y,size,label,patient,conversion,roi_version"

  struct Row: Sendable {
    var clip: Int
    var firstFrame: Int
    var frames: Int
    var tileRow: Int
    var tileCol: Int
    var x: Int
    var y: Int
    var size: Int
    var label: SlidingLabel
    var patient: String
    var conversion: String
    var roiVersion: Int
  }

  /// A sidecar whose rows match its shard and name the run's inputs.
  struct Checked: Sendable {
    var rows: [Row]
    var conversion: Conversion
    var video: SourceVideo
    var roi: RoiAnnotation
    var label: LabelAnnotation
    var patientCode: String
  }

  let shown: String
  let rows: [Row]

  static func read(_ url: URL, shown: String) throws -> ExternalSidecar {
    let size =
      (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.intValue ?? 0
    guard size <= ExternalDatasetOutput.maxSidecarBytes, let data = try? Data(contentsOf: url) else {
      throw ExternalOutputRefusal(
        "\(shown): larger than \(ExternalDatasetOutput.maxSidecarBytes) bytes or unreadable")
    }
    let lines = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).map(String.init)
    guard lines.first?.trimmingCharacters(in: .whitespaces) == header else {
      throw ExternalOutputRefusal("\(shown): the first line must be the header \(header)")
    }
    var rows: [Row] = []
    for (number, line) in lines.dropFirst().enumerated() {
      let at = "\(shown) line \(number + 2)"
      let cells = line.split(separator: ",", omittingEmptySubsequences: false).map {
        $0.trimmingCharacters(in: .whitespaces)
      }
      guard cells.count == 13 else {
        throw ExternalOutputRefusal("\(at): \(cells.count) cells; the header has 13")
      }
      let columns = header.split(separator: ",")
      var numbers: [Int] = []
      for column in 0..<9 {
        guard let value = Int(cells[column]), value >= 0 else {
          throw ExternalOutputRefusal(
            "\(at): \(columns[column]) '\(cells[column].escapedForMessage)' is not a whole number of at least 0"
          )
        }
        numbers.append(value)
      }
      guard numbers[0] == number else {
        throw ExternalOutputRefusal("\(at): index \(numbers[0]) but this is row \(number) of the shard")
      }
      guard let label = SlidingLabel(rawValue: cells[9]), label != .unknown else {
        throw ExternalOutputRefusal("\(at): label '\(cells[9].escapedForMessage)' is not present or absent")
      }
      guard let roiVersion = Int(cells[12]), roiVersion >= 1 else {
        throw ExternalOutputRefusal(
          "\(at): roi_version '\(cells[12].escapedForMessage)' is not a version number")
      }
      rows.append(
        Row(
          clip: numbers[1], firstFrame: numbers[2], frames: numbers[3], tileRow: numbers[4],
          tileCol: numbers[5],
          x: numbers[6], y: numbers[7], size: numbers[8], label: label, patient: cells[10],
          conversion: cells[11],
          roiVersion: roiVersion))
    }
    return ExternalSidecar(shown: shown, rows: rows)
  }

  /// Checks the rows against their shard (one row per cube, the shard's frames and size) and the
  /// run's inputs (an input conversion, an input ROI version of its video, the video's label and
  /// patient), and that every cube lies inside the conversion's frames and pixels.
  func check(
    against shard: ExternalDatasetOutput.ShardHeader, context: ExternalOutputContext, in db: Database
  )
    throws -> Checked
  {
    guard rows.count == shard.count else {
      throw ExternalOutputRefusal("\(shown) has \(rows.count) rows but its shard holds \(shard.count) cubes")
    }
    guard let first = rows.first else { throw ExternalOutputRefusal("\(shown) has no rows") }
    guard let conversionID = context.input(first.conversion, of: .conversion),
      let conversion = try Conversion.fetchOne(db, key: conversionID)
    else {
      throw ExternalOutputRefusal(
        "\(shown) line 2: conversion '\(first.conversion.escapedForMessage)' is not one of the run's input conversions"
      )
    }
    let video = try SourceVideo.find(db, key: conversion.sourceVideoId)
    let rois = try RoiAnnotation.fetchAll(db, keys: context.inputs.filter { $0.kind == .roi }.map(\.id))
    guard let roi = rois.first(where: { $0.sourceVideoId == video.id && $0.version == first.roiVersion })
    else {
      throw ExternalOutputRefusal(
        "\(shown) line 2: ROI version \(first.roiVersion) of \(video.id) is not one of the run's input ROIs")
    }
    let labels = try LabelAnnotation.fetchAll(db, keys: context.inputs.filter { $0.kind == .label }.map(\.id))
    guard
      let label = try labels.first(where: { $0.sourceVideoId == video.id })
        ?? LabelAnnotation.current(forVideo: video.id, in: db)
    else { throw ExternalOutputRefusal("\(shown): video \(video.id) has no label version") }
    let code =
      try String.fetchOne(db, sql: "SELECT code FROM patient WHERE id = ?", arguments: [video.patientId])
      ?? ""
    for (index, row) in rows.enumerated() {
      let at = "\(shown) line \(index + 2)"
      guard row.conversion == conversion.id, row.roiVersion == roi.version else {
        throw ExternalOutputRefusal(
          "\(at): conversion \(row.conversion.escapedForMessage) ROI version \(row.roiVersion); a shard holds the "
            + "cubes of one conversion and ROI version (\(conversion.id), \(roi.version))")
      }
      guard row.frames == shard.frames, row.size == shard.size else {
        throw ExternalOutputRefusal(
          "\(at): frames \(row.frames) size \(row.size) but the shard's cubes are \(shard.frames) x \(shard.size) x \(shard.size)"
        )
      }
      guard row.label == label.label else {
        throw ExternalOutputRefusal(
          "\(at): label \(row.label.rawValue) but \(video.id)'s label version \(label.version) is \(label.label.rawValue)"
        )
      }
      guard row.patient == code else {
        throw ExternalOutputRefusal(
          "\(at): patient '\(row.patient.escapedForMessage)' is not \(video.id)'s patient")
      }
      guard row.x + row.size <= conversion.width, row.y + row.size <= conversion.height,
        row.firstFrame + row.frames <= conversion.frameCount
      else {
        throw ExternalOutputRefusal(
          "\(at): the cube at x \(row.x), y \(row.y), frame \(row.firstFrame) leaves the conversion's "
            + "\(conversion.width) x \(conversion.height) pixels or \(conversion.frameCount) frames")
      }
    }
    return Checked(
      rows: rows, conversion: conversion, video: video, roi: roi, label: label, patientCode: code)
  }
}
