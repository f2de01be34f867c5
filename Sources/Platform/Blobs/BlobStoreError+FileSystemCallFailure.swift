import Primitives

extension BlobStoreError: FileSystemCallFailure {
  public var fileSystemFailure: (path: String, reason: String)? {
    if case .io(let path, let reason) = self { return (path, reason) }
    return nil
  }
}
