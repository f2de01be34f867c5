/// An error from a failed file-system call that says where it failed and why in the system's
/// words (strerror's text), so that code which knows none of the modules errors come from can
/// still tell a read-only folder or a full disk from other failures (see Platform's
/// `StorageFault`).
public protocol FileSystemCallFailure: Error {
  /// The path and strerror's text, when this error is such a failure.
  var fileSystemFailure: (path: String, reason: String)? { get }
}
