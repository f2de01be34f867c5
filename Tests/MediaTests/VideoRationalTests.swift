import Media
import Testing

@Suite struct VideoRationalTests {
  @Test(arguments: [
    ("30", VideoRational(30, 1)), ("30/1", VideoRational(30, 1)),
    ("187000/9789", VideoRational(187_000, 9_789)),
    ("30000:1001", VideoRational(30_000, 1_001)), ("22.25", VideoRational(89, 4)),
    ("54", VideoRational(54, 1)),
    ("60/2", VideoRational(30, 1)),
  ])
  func parsesRates(text: String, expected: VideoRational) {
    #expect(VideoRational(text) == expected)
  }

  @Test(arguments: ["", "0", "-30", "30/0", "abc", "1/-2"])
  func rejectsNonRates(text: String) {
    #expect(VideoRational(text) == nil)
  }
}
