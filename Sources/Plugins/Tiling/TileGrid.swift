import Platform

/// Where cubes are cut: tiles laid from the ROI's top-left corner, and clips along time.
public enum TileGrid {
  public struct Tile: Equatable, Sendable {
    public var row: Int
    public var column: Int
    public var x: Int
    public var y: Int
  }

  /// Whole `size` x `size` tiles inside the ROI (partial tiles at its right and bottom edges are
  /// not cut), row by row; `rowLimit` keeps only the top rows.
  public static func tiles(in roi: PixelRect, size: Int, rowLimit: Int?) -> [Tile] {
    let columns = roi.width / size
    var rows = roi.height / size
    if let rowLimit { rows = min(rows, rowLimit) }
    guard columns > 0, rows > 0 else { return [] }
    return (0..<rows).flatMap { row in
      (0..<columns).map { column in
        Tile(row: row, column: column, x: roi.x + column * size, y: roi.y + row * size)
      }
    }
  }

  /// First frames of the clips in frames `range` (inclusive bounds as a half-open range).
  /// `overlap` adds one last clip ending at the range's last frame when frames are left over.
  public static func clipStarts(frames range: Range<Int>, length: Int, stride: Int, overlap: Bool) -> [Int] {
    guard range.count >= length, length > 0, stride > 0 else { return [] }
    var starts = Array(Swift.stride(from: range.lowerBound, through: range.upperBound - length, by: stride))
    if overlap, let last = starts.last, last + length < range.upperBound {
      starts.append(range.upperBound - length)
    }
    return starts
  }
}
