import Foundation

/// Runs libarchive calls under a UTF-8 `LC_CTYPE` on the calling thread only.
///
/// libarchive converts entry names through the current locale's character set. Under the "C"
/// locale that processes start with, libarchive 3.6's pax writer crashes on a non-ASCII name
/// and its reader cannot convert one. `uselocale(3)` switches the thread's locale for the span of
/// one synchronous call without touching the process-wide locale other code relies on.
enum UTF8Locale {
  private nonisolated(unsafe) static let utf8: locale_t? = {
    for name in ["C.UTF-8", "C.utf8", "en_US.UTF-8"] {
      if let locale = newlocale(LC_CTYPE_MASK, name, nil) { return locale }
    }
    return nil
  }()

  static func run<T>(_ body: () throws(BagError) -> T) throws(BagError) -> T {
    guard let utf8 else { return try body() }
    let previous = uselocale(utf8)
    defer { uselocale(previous) }
    return try body()
  }
}
