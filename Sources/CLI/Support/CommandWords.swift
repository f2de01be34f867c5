import ArgumentParser
import Foundation
import Platform

/// What the command line says before the argument parser reads it: the subcommand words it names
/// and the option values that begin with a dash.
enum CommandWords {
  /// A word where a subcommand was expected that names none, with the closest known subcommand.
  struct UnknownCommand: Error, CustomStringConvertible {
    /// The words before it that did name commands (`roi` for `pleura roi sugest`).
    var parents: [String]
    var word: String
    var suggestion: String?

    var description: String {
      let prefix = parents.map { $0 + " " }.joined()
      let named = "unknown command '\(prefix)\(word.escapedForMessage)'"
      guard let suggestion else {
        return named + "; see `pleura \(prefix)--help` for the commands"
      }
      return named + "; did you mean '\(prefix)\(suggestion)'?"
    }
  }

  /// The first word that should name a subcommand of `root` but names none. Words are read from
  /// the left while the command reached so far has subcommands; an option, `help`, or a command
  /// with a default subcommand (which takes the word as its argument) ends the walk.
  static func unknownCommand(in arguments: [String], root: any ParsableCommand.Type = Pleura.self)
    -> UnknownCommand?
  {
    var command = root
    var parents: [String] = []
    for word in arguments {
      let subcommands = command.configuration.subcommands
      if subcommands.isEmpty || word.hasPrefix("-") || word == "help" { return nil }
      if let next = subcommands.first(where: { $0.names.contains(word) }) {
        command = next
        parents.append(word)
        continue
      }
      if command.configuration.defaultSubcommand != nil { return nil }
      let known = subcommands.filter { $0.configuration.shouldDisplay }.map { $0._commandName }
      return UnknownCommand(parents: parents, word: word, suggestion: closest(to: word, in: known))
    }
    return nil
  }

  /// The command the words name, as far as they name one (`pleura gc --dry` names `gc`).
  static func command(namedBy arguments: [String], root: any ParsableCommand.Type = Pleura.self)
    -> any ParsableCommand.Type
  {
    var command = root
    for word in arguments where !word.hasPrefix("-") {
      guard let next = command.configuration.subcommands.first(where: { $0.names.contains(word) }) else {
        break
      }
      command = next
    }
    return command
  }

  /// An option the command the words name does not have, with its closest option. The parser
  /// checks `validate()` before it looks for unknown options, so `pleura transcode --al` would
  /// say that no videos were named; this is asked first.
  struct UnknownOption: Error, CustomStringConvertible {
    var command: String
    var option: String
    var suggestion: String?

    var description: String {
      "Unknown option '\(option.escapedForMessage)'" + (suggestion.map { ". Did you mean '\($0)'?" } ?? "")
        + "\n  See '\(command) --help' for more information."
    }
  }

  /// Options every command takes, handled by the parser itself.
  static let builtInOptions: Set<String> = [
    "--help", "--help-hidden", "--version", "--generate-completion-script", "--experimental-dump-help",
  ]

  static func unknownOption(in arguments: [String], root: any ParsableCommand.Type = Pleura.self)
    -> UnknownOption?
  {
    let command = command(namedBy: arguments, root: root)
    let known = longOptions(of: command).union(builtInOptions)
    for word in arguments.prefix(while: { $0 != "--" }) where word.hasPrefix("--") && word.count > 2 {
      let option = String(word.prefix { $0 != "=" })
      if !known.contains(option) {
        let path =
          (["pleura"] + arguments.filter { !$0.hasPrefix("-") }.prefix(depth(of: command, root: root)))
        return UnknownOption(
          command: path.joined(separator: " "), option: option,
          suggestion: closest(to: option, in: known.sorted()))
      }
    }
    return nil
  }

  /// The long options of a command as the parser describes it (its `--experimental-dump-help`),
  /// with those of its default subcommand, which takes the command's words when no other is named.
  static func longOptions(of command: any ParsableCommand.Type) -> Set<String> {
    guard
      let tool = try? JSONSerialization.jsonObject(with: Data(command._dumpHelp().utf8)) as? [String: Any],
      let node = tool["command"] as? [String: Any]
    else { return [] }
    func names(_ node: [String: Any]) -> [String] {
      (node["arguments"] as? [[String: Any]] ?? []).flatMap { argument in
        (argument["names"] as? [[String: Any]] ?? []).compactMap { name in
          name["kind"] as? String == "long" ? (name["name"] as? String).map { "--" + $0 } : nil
        }
      }
    }
    var options = names(node)
    if let fallback = node["defaultSubcommand"] as? String,
      let child = (node["subcommands"] as? [[String: Any]])?.first(where: {
        $0["commandName"] as? String == fallback
      })
    {
      options += names(child)
    }
    return Set(options)
  }

  /// How many subcommand words lead from `root` to `command`.
  static func depth(of command: any ParsableCommand.Type, root: any ParsableCommand.Type) -> Int {
    func search(_ node: any ParsableCommand.Type, _ depth: Int) -> Int? {
      if node == command { return depth }
      for child in node.configuration.subcommands {
        if let found = search(child, depth + 1) { return found }
      }
      return nil
    }
    return search(root, 0) ?? 0
  }

  /// The only candidate that starts with `word` (`dat` is `dataset`), else the closest by edit
  /// distance.
  static func closest(to word: String, in candidates: [String]) -> String? {
    let extending = candidates.filter { $0.hasPrefix(word) }
    if extending.count == 1 { return extending[0] }
    return NameSuggestion.closest(to: word, in: candidates)
  }

  /// `--at -1` becomes `--at=-1`: the parser reads a word that starts with a dash as an option, so
  /// a negative number after a long option would be reported as a missing value. No Pleura option
  /// is spelt with a digit after its dash, so a dash and a digit (`-1`, `-0.5`, `-5,0,100,100`)
  /// always starts a value. Everything after `--` is left as it is.
  static func joiningNegativeValues(_ arguments: [String]) -> [String] {
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

extension ParsableCommand {
  /// The name a user types for this command, and its aliases.
  static var names: [String] { [_commandName] + configuration.aliases }
}
