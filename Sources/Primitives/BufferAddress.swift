// The address of a buffer's first element, for C calls and pointer loops. The buffers passed to
// these never are empty (an empty one has no address), so a missing address is a programming
// error, reported by name rather than by a bare `!`.

extension UnsafeBufferPointer {
  @inlinable public var address: UnsafePointer<Element> {
    guard let baseAddress else { preconditionFailure("an empty buffer has no address") }
    return baseAddress
  }
}

extension UnsafeMutableBufferPointer {
  @inlinable public var address: UnsafeMutablePointer<Element> {
    guard let baseAddress else { preconditionFailure("an empty buffer has no address") }
    return baseAddress
  }
}

extension UnsafeRawBufferPointer {
  @inlinable public var address: UnsafeRawPointer {
    guard let baseAddress else { preconditionFailure("an empty buffer has no address") }
    return baseAddress
  }
}

extension UnsafeMutableRawBufferPointer {
  @inlinable public var address: UnsafeMutableRawPointer {
    guard let baseAddress else { preconditionFailure("an empty buffer has no address") }
    return baseAddress
  }
}
