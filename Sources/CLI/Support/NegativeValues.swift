/// Option values that begin with a dash, read as values rather than options.
enum NegativeValues {
  /// `--at -1` becomes `--at=-1`: the parser reads a word that starts with a dash as an option, so
  /// a negative number after a long option would be reported as a missing value. No Pleura option
  /// is spelt with a digit after its dash, so a dash and a digit (`-1`, `-0.5`, `-5,0,100,100`)
  /// always starts a value. Everything after `--` is left as it is.
  static func joined(_ arguments: [String]) -> [String] {
    var result: [String] = []
    var index = 0
    while index < arguments.count {
      let word = arguments[index]
      if word == "--" { return result + arguments[index...] }
      let next = index + 1 < arguments.count ? arguments[index + 1] : nil
      if word.hasPrefix("--"), word.count > 2, !word.contains("="), let next, startsWithNegativeNumber(next) {
        result.append(word + "=" + next)
        index += 2
      } else {
        result.append(word)
        index += 1
      }
    }
    return result
  }

  static func startsWithNegativeNumber(_ word: String) -> Bool {
    // `-inf` and `-nan` too, so that the option refuses them by name rather than the parser
    // calling them unknown options.
    if ["-inf", "-infinity", "-nan"].contains(word.lowercased()) { return true }
    let characters = Array(word.prefix(3))
    guard characters.first == "-", characters.count >= 2 else { return false }
    if characters[1].isASCII, characters[1].isNumber { return true }
    // `-.5`
    return characters[1] == "." && characters.count == 3 && characters[2].isASCII && characters[2].isNumber
  }
}
