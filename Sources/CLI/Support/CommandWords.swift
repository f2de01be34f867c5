import ArgumentParser
import Foundation
import Platform

/// The words of a command line that name no command or option, found when the parser refused the
/// line, so that the refusal names them with the closest known one.
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

  /// The command the words name, as far as they name one (`pleura gc --dry` names `gc`), and the
  /// words that name it.
  static func command(namedBy arguments: [String], root: any ParsableCommand.Type = Pleura.self)
    -> (command: any ParsableCommand.Type, path: [String])
  {
    var command = root
    var path: [String] = []
    for word in arguments where !word.hasPrefix("-") {
      guard let next = command.configuration.subcommands.first(where: { $0.names.contains(word) }) else {
        break
      }
      command = next
      path.append(word)
    }
    return (command, path)
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
    let (command, path) = command(namedBy: arguments, root: root)
    let known = longOptions(of: command).union(builtInOptions)
    for word in arguments.prefix(while: { $0 != "--" }) where word.hasPrefix("--") && word.count > 2 {
      let option = String(word.prefix { $0 != "=" })
      if !known.contains(option) {
        return UnknownOption(
          command: (["pleura"] + path).joined(separator: " "), option: option,
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

  /// The only candidate that starts with `word` (`dat` is `dataset`), else the closest by edit
  /// distance.
  static func closest(to word: String, in candidates: [String]) -> String? {
    let extending = candidates.filter { $0.hasPrefix(word) }
    if extending.count == 1 { return extending[0] }
    return NameSuggestion.closest(to: word, in: candidates)
  }
}

extension ParsableCommand {
  /// The name a user types for this command, and its aliases.
  static var names: [String] { [_commandName] + configuration.aliases }
}
