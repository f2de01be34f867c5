/// An error that can say the user's input was wrong (exit 2, a usage error) rather than that the
/// catalog or the work failed (exit 1). A plugin's `check` throws its parameter refusals as such
/// errors so that `pleura run PLUGIN --param …` and the plugin's own command exit alike.
public protocol UsageClassified: Error {
  var isUsageError: Bool { get }
}

extension CatalogError: UsageClassified {}
