import Platform

/// What differs between the two kinds of recipe when a dataset is planned: the clips (windows)
/// along time and the places in the ROI that are cut.
extension DatasetRecipe {
  /// The `tileSize` an M-mode recipe holds: it has no tiles, and a fixed value keeps equal
  /// recipes equal. Nothing cuts with it (``plannedTiles(in:)`` asks the kind first).
  static let unusedTileSize = 0

  /// Frames per clip: a cube's frames, or an M-mode window.
  public var clipLength: Int {
    switch kind {
    case .cubes: framesPerCube
    case .mmode: mmode?.window ?? MModeSettings().window
    }
  }

  /// Frames between the first frames of consecutive clips (or windows).
  public var clipStep: Int {
    switch kind {
    case .cubes: clipStride
    case .mmode: mmode?.stride ?? MModeSettings().stride
    }
  }

  /// Where a clip of a video with ROI `rect` is cut. Cubes: the tiles. M-mode: one "tile" per
  /// candidate column, each at the ROI's top (`row` = its rank, `column` = its offset from the
  /// ROI's left edge): the sampled columns for `every`, every column for `brightest` (the cutter
  /// keeps the brightest of them per window). Empty when the ROI is too small.
  public func plannedTiles(in rect: PixelRect) -> [TileGrid.Tile] {
    guard kind == .mmode, let settings = mmode else {
      return TileGrid.tiles(in: rect, size: tileSize, rowLimit: rowLimit)
    }
    guard rect.height >= MModeSettings.minimumDepth, rect.width > 0 else { return [] }
    let step = settings.sampling == .every ? settings.columnStep : 1
    return Swift.stride(from: 0, to: rect.width, by: step).enumerated().map { rank, offset in
      TileGrid.Tile(row: rank, column: offset, x: rect.x + offset, y: rect.y)
    }
  }

  /// Why a video with ROI `rect` has nothing to cut (when ``plannedTiles(in:)`` is empty).
  public func tooSmallReason(_ rect: PixelRect) -> String {
    switch kind {
    case .cubes: "ROI \(rect.width)x\(rect.height) is smaller than one \(tileSize) px tile"
    case .mmode:
      "ROI \(rect.width)x\(rect.height) is shallower than the \(MModeSettings.minimumDepth) rows an M-mode needs"
    }
  }

  /// What the dataset holds, in a few words, for listings and `dataset show`.
  public var kindDescription: String {
    switch kind {
    case .cubes:
      "cubes of \(framesPerCube)x\(tileSize)x\(tileSize), \(rows == "all" ? "all tile rows" : "top \(rows) tile rows"), "
        + "clips every \(clipStride) frames"
    case .mmode: (mmode ?? MModeSettings()).description
    }
  }

  /// Whether the images of a window are ranked (M-mode at the brightest columns: rank 0 is the
  /// brightest), which the sidecar then says in its `window` and `rank` columns.
  public var keepsRankedImages: Bool { kind == .mmode && mmode?.sampling == .brightest }
}
