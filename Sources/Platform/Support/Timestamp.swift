import Foundation

/// Catalog times are ISO-8601 UTC strings with milliseconds: sortable as text and readable in SQL.
public enum Timestamp {
  public static func now() -> String { format(Date()) }

  public static func format(_ date: Date) -> String {
    date.formatted(
      Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt))
  }
}
