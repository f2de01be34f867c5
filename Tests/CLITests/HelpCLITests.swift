import Foundation
import TestSupport
import Testing

/// Help in every form the argument parser offers, for the whole command tree as the parser itself
/// describes it (`--experimental-dump-help`), and the shell completion scripts.
@Suite struct HelpCLITests {
  /// One command of the tree: the words that name it (`["roi", "suggest"]`; empty for the root).
  struct Command: CustomStringConvertible {
    var path: [String]
    var abstract: String
    var discussion: String
    var subcommands: [String]
    var description: String { (["pleura"] + path).joined(separator: " ") }
  }

  /// Every command and subcommand, read from the parser's own description of the tree.
  static func commandTree() throws -> [Command] {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    let dump = try cli.run(["--experimental-dump-help"], withCatalog: false)
    guard dump.status == 0,
      let root = try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any],
      let command = root["command"] as? [String: Any]
    else { throw FixtureError("pleura --experimental-dump-help: \(dump.stderr)") }
    var commands: [Command] = []
    func walk(_ node: [String: Any], _ path: [String]) {
      let children = node["subcommands"] as? [[String: Any]] ?? []
      commands.append(
        Command(
          path: path, abstract: node["abstract"] as? String ?? "",
          discussion: node["discussion"] as? String ?? "",
          subcommands: children.compactMap { $0["commandName"] as? String }))
      for child in children {
        if let name = child["commandName"] as? String { walk(child, path + [name]) }
      }
    }
    walk(command, [])
    return commands
  }

  /// The parser's own `help` command has the parser's text; every other command has ours.
  static func isOurs(_ command: Command) -> Bool { command.path.last != "help" }

  @Test func theTreeIsTheWholeCommandSurface() throws {
    let tree = try Self.commandTree()
    let names = Set(tree.map { $0.path.joined(separator: " ") })
    // A few from every level, so that a tree read wrongly (only the root, say) fails here.
    for expected in [
      "", "transcode", "roi", "roi suggest", "dataset export-npy", "bundle verify", "bench tile",
    ] {
      #expect(names.contains(expected), "\(expected) missing from \(names.sorted())")
    }
    #expect(tree.count > 45)
  }

  @Test(.tags(.slow)) func everyCommandPrintsItsHelpInEveryForm() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    for command in try Self.commandTree() {
      var forms = [command.path + ["--help"], command.path + ["-h"], command.path + ["--help-hidden"]]
      if !command.path.isEmpty { forms.append(["help"] + command.path) }
      for arguments in forms {
        let result = try cli.run(arguments, withCatalog: false)
        let shown = "pleura \(arguments.joined(separator: " "))"
        #expect(result.status == 0, "\(shown): exit \(result.status) \(result.stderr)")
        #expect(result.stderr.isEmpty, "\(shown) wrote to stderr: \(result.stderr)")
        // The parser's `help` command, asked for help, shows the root's.
        let usage = Self.isOurs(command) ? command.description : "pleura"
        #expect(
          result.stdout.contains("USAGE: \(usage) ") || result.stdout.contains("USAGE: \(usage)\n"),
          "\(shown): \(result.stdout)")
        #expect(!result.stdout.lowercased().contains("error:"), "\(shown): \(result.stdout)")
        #expect(!result.stdout.contains("CommandError"), "\(shown): \(result.stdout)")
      }
    }
  }

  @Test func everyCommandSaysWhatItDoesWithAnExample() throws {
    for command in try Self.commandTree() where Self.isOurs(command) {
      #expect(command.abstract.count >= 15, "\(command): abstract '\(command.abstract)'")
      let example = command.discussion.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        .first { $0.hasPrefix(command.description + " ") || $0 == command.description }
      #expect(command.discussion.contains("Example"), "\(command): no example in '\(command.discussion)'")
      // The root's example is a whole session: any line starting with `pleura ` will do.
      #expect(example != nil || command.path.isEmpty, "\(command): the example does not run this command")
    }
  }

  @Test(arguments: [[], ["roi"], ["dataset"], ["bundle"], ["bench"]])
  func aGroupWithoutASubcommandPrintsItsHelp(_ group: [String]) throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    let result = try cli.run(group, withCatalog: false)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stderr.isEmpty, "\(result.stderr)")
    #expect(result.stdout.contains("USAGE: " + (["pleura"] + group).joined(separator: " ")))
    #expect(result.stdout.contains("SUBCOMMANDS"))
  }

  static let shells = ["bash", "zsh", "fish"]

  @Test(arguments: shells)
  func completionScriptsNameEveryCommandAndParse(_ shell: String) throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    let result = try cli.run(["--generate-completion-script", shell], withCatalog: false)
    #expect(result.status == 0 && result.stderr.isEmpty, "\(result.stderr)")
    let tree = try Self.commandTree()
    for command in tree[0].subcommands where command != "help" {
      #expect(result.stdout.contains(command), "\(shell) completion lacks \(command)")
    }
    let script = cli.folder.appendingPathComponent("pleura.\(shell)")
    try Data(result.stdout.utf8).write(to: script)
    guard Fixtures.which(shell) != nil else { return }  // the syntax check needs the shell itself
    let check = shell == "fish" ? ["--no-execute", script.path] : ["-n", script.path]
    try Fixtures.tool(shell, check)
  }

  /// Bash completes the way a user sees it: COMP_WORDS in, COMPREPLY out.
  @Test(.enabled(if: Fixtures.which("bash") != nil, "bash is needed to run its completion"))
  func bashCompletesCommandsSubcommandsAndOptions() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    let script = cli.folder.appendingPathComponent("pleura.bash")
    try Data(try cli.run(["--generate-completion-script", "bash"], withCatalog: false).stdout.utf8).write(
      to: script)
    func complete(_ words: [String]) throws -> [String] {
      let quoted = words.map { "'\($0)'" }.joined(separator: " ")
      let program = """
        shopt -s extglob; source '\(script.path)'
        COMP_WORDS=(\(quoted)); COMP_CWORD=\(words.count - 1); COMP_LINE="${COMP_WORDS[*]}"
        COMP_POINT=${#COMP_LINE}; COMPREPLY=()
        _pleura pleura "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
        printf '%s\\n' "${COMPREPLY[@]}"
        """
      return try Fixtures.tool("bash", ["-c", program]).split(separator: "\n").map(String.init).sorted()
    }
    #expect(try complete(["pleura", "tr"]) == ["train", "transcode"])
    #expect(try complete(["pleura", "roi", "su"]) == ["suggest"])
    #expect(try complete(["pleura", "train", "--ar"]) == ["--arch"])
  }
}
