import Testing

@testable import Tiling

/// The frame window both cutters stream through: every clip comes out once, with its own frames,
/// as soon as its last frame is in, whether clips overlap, touch or leave gaps; frames no clip
/// needs are not wanted.
@Suite struct ClipWindowTests {
  @Test func clipsComeOutWithTheirOwnFramesAsSoonAsTheyAreComplete() throws {
    let starts = [2, 4, 9, 20, 21]
    var window = try #require(ClipWindow(starts: starts, length: 4))
    #expect(window.framesNeeded == 25)
    var emitted: [(clip: Int, start: Int, frames: [Int], after: Int)] = []
    var kept = 0
    for index in 0..<40 where window.wants(index) {
      kept += 1
      window.append([UInt8(index)]) { clip, start, frames in
        emitted.append((clip, start, frames.map { Int($0[0]) }, index))
      }
    }
    #expect(window.isComplete)
    #expect(emitted.map(\.clip) == [0, 1, 2, 3, 4] && emitted.map(\.start) == starts)
    for clip in emitted {
      #expect(clip.frames == Array(clip.start..<(clip.start + 4)) && clip.after == clip.start + 3)
    }
    // Frames 0-1, 8, 13-19 and from 25 on lie in no clip.
    #expect(kept == 25 - 2 - 1 - 7)
    #expect(ClipWindow(starts: [], length: 4) == nil)
  }
}
