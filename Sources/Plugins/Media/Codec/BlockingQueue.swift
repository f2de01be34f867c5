import Foundation

/// A bounded first-in first-out queue between one producer thread and one consumer thread.
///
/// `push` waits while the queue is full, `pop` while it is empty; `close()` ends the stream (pop returns
/// nil once drained) and `cancel()` makes both sides give up at once. Unchecked-Sendable because every
/// access to its storage happens under `condition`.
final class BlockingQueue<Element>: @unchecked Sendable {
  private let condition = NSCondition()
  private var items: [Element] = []
  private var head = 0
  private let capacity: Int
  private var closed = false
  private var cancelled = false

  init(capacity: Int) {
    precondition(capacity > 0)
    self.capacity = capacity
  }

  /// Appends `item`, waiting for room; returns false (dropping it) when the queue was cancelled.
  @discardableResult
  func push(_ item: Element) -> Bool {
    condition.lock()
    defer { condition.unlock() }
    while items.count - head >= capacity && !cancelled { condition.wait() }
    if cancelled { return false }
    items.append(item)
    condition.broadcast()
    return true
  }

  /// The oldest item, waiting for one; nil once the queue is closed and empty, or cancelled.
  func pop() -> Element? {
    condition.lock()
    defer { condition.unlock() }
    while head == items.count && !closed && !cancelled { condition.wait() }
    if cancelled || head == items.count { return nil }
    let item = items[head]
    head += 1
    if head > 64 && head * 2 > items.count {
      items.removeFirst(head)
      head = 0
    }
    condition.broadcast()
    return item
  }

  /// No more items will come.
  func close() {
    condition.lock()
    closed = true
    condition.broadcast()
    condition.unlock()
  }

  /// Both sides stop: pending and future pushes are dropped, pops return nil.
  func cancel() {
    condition.lock()
    cancelled = true
    items.removeAll()
    head = 0
    condition.broadcast()
    condition.unlock()
  }
}
