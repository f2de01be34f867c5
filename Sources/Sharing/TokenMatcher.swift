import Foundation

/// Finds any of many byte strings in a text in one pass, whatever their number (Aho-Corasick),
/// ASCII case-insensitively and as whole tokens: a needle that starts (ends) with a letter,
/// digit or `_` matches only where the text before (after) it is not one, and not `-` before
/// (so a code is not found inside `p-<hex>` pseudonyms or `vid_<hex>` ids).
///
/// Needles come in an encoding (UTF-8, or UTF-16 in either byte order): the token boundary is
/// read in the same encoding, so a value written as UTF-16 by some tool is found too.
///
/// ```swift
/// let matcher = TokenMatcher([.init(Array("P-001".utf8), encoding: .utf8, value: 0)])
/// matcher.matches(in: Array("patient p-001, video".utf8))  // one match, value 0, bytes 8..<13
/// ```
struct TokenMatcher {
  enum Encoding: Sendable {
    case utf8, utf16LittleEndian, utf16BigEndian
  }

  struct Needle {
    var bytes: [UInt8]
    var encoding: Encoding
    /// The caller's index of the value this needle spells.
    var value: Int
    /// Whether the first and last characters are word characters (only then is a boundary needed).
    fileprivate var wordStart = false
    fileprivate var wordEnd = false

    init(_ bytes: [UInt8], encoding: Encoding, value: Int) {
      self.bytes = bytes.map(TokenMatcher.fold)
      self.encoding = encoding
      self.value = value
    }
  }

  struct Match: Equatable {
    var range: Range<Int>
    var value: Int
  }

  private var needles: [Needle]
  // The automaton in flat arrays (one allocation each, however many needles): node 0 is the
  // root, whose transitions are a table of 256; every other node's children are the range
  // `childStart[n]..<childStart[n + 1]` of `childBytes` / `childNodes`, sorted by byte.
  private var rootNext = [Int32](repeating: 0, count: 256)
  private var childStart: [Int32] = []
  private var childBytes: [UInt8] = []
  private var childNodes: [Int32] = []
  private var failure: [Int32] = []
  /// The first needle ending at a node (-1: none); further needles with the same bytes follow
  /// through `sameNeedle`.
  private var terminal: [Int32] = []
  private var sameNeedle: [Int32] = []
  /// The nearest node on the failure chain where a needle ends (0: none).
  private var outputLink: [Int32] = []

  init(_ needles: [Needle]) {
    self.needles = needles.filter { !$0.bytes.isEmpty }
    for index in self.needles.indices {
      let scalars = Self.characters(of: self.needles[index])
      self.needles[index].wordStart = scalars.first.map(Self.isWord) ?? false
      self.needles[index].wordEnd = scalars.last.map(Self.isWord) ?? false
    }
    buildTrie()
    buildFailureLinks()
  }

  var isEmpty: Bool { needles.isEmpty }

  // MARK: - Searching

  /// Every whole-token match, in the order they end.
  func matches(in text: UnsafeRawBufferPointer) -> [Match] {
    var found: [Match] = []
    scan(text) { match in
      found.append(match)
      return true
    }
    return found
  }

  func matches(in bytes: [UInt8]) -> [Match] { bytes.withUnsafeBytes { matches(in: $0) } }

  /// The first whole-token match, if any.
  func firstMatch(in text: UnsafeRawBufferPointer) -> Match? {
    var first: Match?
    scan(text) { match in
      first = match
      return false
    }
    return first
  }

  /// Non-overlapping matches, leftmost first and the longest where several start together.
  func replacementMatches(in bytes: [UInt8]) -> [Match] {
    let all = matches(in: bytes).sorted {
      $0.range.lowerBound != $1.range.lowerBound
        ? $0.range.lowerBound < $1.range.lowerBound : $0.range.count > $1.range.count
    }
    var chosen: [Match] = []
    for match in all where match.range.lowerBound >= (chosen.last?.range.upperBound ?? 0) {
      chosen.append(match)
    }
    return chosen
  }

  private func scan(_ text: UnsafeRawBufferPointer, _ report: (Match) -> Bool) {
    var state: Int32 = 0
    for position in 0..<text.count {
      state = step(state, Self.fold(text[position]))
      var node = terminal[Int(state)] >= 0 ? state : outputLink[Int(state)]
      while node != 0 {
        var index = terminal[Int(node)]
        while index >= 0 {
          let needle = needles[Int(index)]
          let start = position + 1 - needle.bytes.count
          if boundaryHolds(needle, text, start: start, end: position + 1),
            !report(Match(range: start..<(position + 1), value: needle.value))
          {
            return
          }
          index = sameNeedle[Int(index)]
        }
        node = outputLink[Int(node)]
      }
    }
  }

  private func step(_ state: Int32, _ byte: UInt8) -> Int32 {
    var state = state
    while state != 0 {
      if let found = child(of: state, byte) { return found }
      state = failure[Int(state)]
    }
    return rootNext[Int(byte)]
  }

  private func child(of node: Int32, _ byte: UInt8) -> Int32? {
    if node == 0 { return rootNext[Int(byte)] == 0 ? nil : rootNext[Int(byte)] }
    var low = Int(childStart[Int(node)])
    var high = Int(childStart[Int(node) + 1])
    while low < high {
      let middle = (low + high) / 2
      if childBytes[middle] < byte { low = middle + 1 } else { high = middle }
    }
    return low < Int(childStart[Int(node) + 1]) && childBytes[low] == byte ? childNodes[low] : nil
  }

  // MARK: - Token boundaries

  private func boundaryHolds(_ needle: Needle, _ text: UnsafeRawBufferPointer, start: Int, end: Int) -> Bool {
    if needle.wordStart, let before = character(in: text, endingAt: start, needle.encoding),
      Self.isWord(before) || before == UInt32(UInt8(ascii: "-"))
    {
      return false
    }
    if needle.wordEnd, let after = character(in: text, startingAt: end, needle.encoding), Self.isWord(after) {
      return false
    }
    return true
  }

  /// The code unit just before `index` (nil at the start of the text).
  private func character(in text: UnsafeRawBufferPointer, endingAt index: Int, _ encoding: Encoding)
    -> UInt32?
  {
    switch encoding {
    case .utf8: return index >= 1 ? UInt32(text[index - 1]) : nil
    case .utf16LittleEndian:
      return index >= 2 ? UInt32(text[index - 2]) | UInt32(text[index - 1]) << 8 : nil
    case .utf16BigEndian:
      return index >= 2 ? UInt32(text[index - 2]) << 8 | UInt32(text[index - 1]) : nil
    }
  }

  /// The code unit at `index` (nil at the end of the text).
  private func character(in text: UnsafeRawBufferPointer, startingAt index: Int, _ encoding: Encoding)
    -> UInt32?
  {
    switch encoding {
    case .utf8: return index < text.count ? UInt32(text[index]) : nil
    case .utf16LittleEndian:
      return index + 1 < text.count ? UInt32(text[index]) | UInt32(text[index + 1]) << 8 : nil
    case .utf16BigEndian:
      return index + 1 < text.count ? UInt32(text[index]) << 8 | UInt32(text[index + 1]) : nil
    }
  }

  private static func characters(of needle: Needle) -> [UInt32] {
    switch needle.encoding {
    case .utf8: return needle.bytes.map(UInt32.init)
    case .utf16LittleEndian, .utf16BigEndian:
      let little = needle.encoding == .utf16LittleEndian
      return stride(from: 0, to: needle.bytes.count - 1, by: 2).map { i in
        little
          ? UInt32(needle.bytes[i]) | UInt32(needle.bytes[i + 1]) << 8
          : UInt32(needle.bytes[i]) << 8 | UInt32(needle.bytes[i + 1])
      }
    }
  }

  /// ASCII letters, digits and `_` (case already folded).
  static func isWord(_ character: UInt32) -> Bool {
    (48...57).contains(character) || (97...122).contains(character) || (65...90).contains(character)
      || character == 95
  }

  static func fold(_ byte: UInt8) -> UInt8 { (65...90).contains(byte) ? byte | 0x20 : byte }

  // MARK: - Building

  /// Inserts the needles in sorted order, so each shares with the previous one exactly its
  /// common prefix and no lookup is needed; the edges then become the sorted flat arrays.
  private mutating func buildTrie() {
    let order = needles.indices.sorted { needles[$0].bytes.lexicographicallyPrecedes(needles[$1].bytes) }
    var edges: [(parent: Int32, byte: UInt8, node: Int32)] = []
    var path: [Int32] = [0]  // nodes along the previous needle
    var previous: [UInt8] = []
    var nodes: Int32 = 1
    terminal = [-1]
    sameNeedle = [Int32](repeating: -1, count: needles.count)
    for index in order {
      let bytes = needles[index].bytes
      var shared = 0
      while shared < min(bytes.count, previous.count), bytes[shared] == previous[shared] { shared += 1 }
      path.removeLast(path.count - 1 - shared)
      // `path` always holds the root (node 0) at least.
      for byte in bytes[shared...] {
        edges.append((path.last ?? 0, byte, nodes))
        path.append(nodes)
        terminal.append(-1)
        nodes += 1
      }
      let end = Int(path.last ?? 0)
      sameNeedle[index] = terminal[end]
      terminal[end] = Int32(index)
      previous = bytes
    }
    edges.sort { $0.parent != $1.parent ? $0.parent < $1.parent : $0.byte < $1.byte }
    childStart = [Int32](repeating: 0, count: Int(nodes) + 1)
    childBytes = edges.map(\.byte)
    childNodes = edges.map(\.node)
    for edge in edges where edge.parent == 0 { rootNext[Int(edge.byte)] = edge.node }
    var cursor = 0
    for node in 0...Int(nodes) {
      while cursor < edges.count && Int(edges[cursor].parent) < node { cursor += 1 }
      childStart[node] = Int32(cursor)
    }
    failure = [Int32](repeating: 0, count: Int(nodes))
    outputLink = [Int32](repeating: 0, count: Int(nodes))
  }

  /// Breadth first: each node's failure link is the longest proper suffix that is also a prefix.
  private mutating func buildFailureLinks() {
    var queue: [Int32] = rootNext.filter { $0 != 0 }
    var head = 0
    while head < queue.count {
      let node = queue[head]
      head += 1
      for edge in Int(childStart[Int(node)])..<Int(childStart[Int(node) + 1]) {
        let (byte, next) = (childBytes[edge], childNodes[edge])
        var fallback = failure[Int(node)]
        while fallback != 0 && child(of: fallback, byte) == nil { fallback = failure[Int(fallback)] }
        let link = child(of: fallback, byte) ?? 0
        failure[Int(next)] = link
        outputLink[Int(next)] = terminal[Int(link)] >= 0 ? link : outputLink[Int(link)]
        queue.append(next)
      }
    }
  }
}
