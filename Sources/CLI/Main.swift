import ArgumentParser
import Foundation
import Platform
import Resnet3D

/// Exit codes: 0 success, 1 failure, 2 usage. Errors go to stderr, one clear line first; help goes to
/// stdout with exit 0.
@main
enum Main {
  static func main() async {
    let arguments = NegativeValues.joined(Array(CommandLine.arguments.dropFirst()))
    let command: any ParsableCommand
    do {
      command = try await Pleura.asyncParseAsRoot(Self.helpHiddenThroughHelp(arguments))
    } catch {
      exitForParser(error, arguments: arguments)
    }
    // A mistyped engine setting is refused before any command runs, not when the first GEMM does.
    if let problem = Resnet3DEngine.gemmSettingProblem {
      Terminal.error(problem)
      exit(2)
    }
    do {
      if var asyncCommand = command as? any AsyncParsableCommand {
        try await asyncCommand.run()
      } else {
        var command = command
        try command.run()
      }
    } catch let exitCode as ExitCode {
      exit(exitCode.rawValue)
    } catch let error as ValidationError {
      Terminal.error(error.message)
      exit(2)
    } catch let error as ParameterError {
      Terminal.error(error.description)
      exit(2)
    } catch let error as RegistryError {
      Terminal.error(error.description)
      exit(2)
    } catch let error as any UsageClassified & CustomStringConvertible where error.isUsageError {
      Terminal.error(error.description)
      exit(2)
    } catch  where CatalogError.isUnreadableRow(error) {
      // GRDB's decoding errors quote the row, which may hold a patient code: say what happened
      // without the values.
      Terminal.error(CatalogError.unreadableRow.description)
      exit(1)
    } catch  where Pleura.exitCode(for: error) == .success {
      // `--help`, `help CMD` and group commands without a subcommand parse to the parser's own help
      // command, whose run throws the help request.
      exitForParser(error, arguments: arguments)
    } catch {
      // A read-only folder or a full disk: one line saying what and where, not the error codes.
      Terminal.error(
        StorageFault.describe(error, catalogRoot: CatalogOptions.inUse) ?? String(describing: error))
      exit(1)
    }
    exit(0)
  }

  /// `pleura help roi --help-hidden` is `pleura roi --help-hidden`: the parser's own `help` command
  /// knows `-h` and `--help` but not `--help-hidden`.
  static func helpHiddenThroughHelp(_ arguments: [String]) -> [String] {
    guard arguments.first == "help", arguments.contains("--help-hidden") else { return arguments }
    return Array(arguments.dropFirst())
  }

  /// What the argument parser throws: help, a version or a completion script on stdout with exit 0;
  /// a usage error on stderr with exit 2. A word that names no command is reported as such, with
  /// the closest command, before whatever the parser made of it.
  static func exitForParser(_ error: any Error, arguments: [String]) -> Never {
    if Pleura.exitCode(for: error) == .success {
      let text = Pleura.fullMessage(for: error)
      if !text.isEmpty { Swift.print(text) }
      exit(0)
    }
    if let unknown = CommandWords.unknownCommand(in: arguments) {
      Terminal.error(unknown.description)
      exit(2)
    }
    if let unknown = CommandWords.unknownOption(in: arguments) {
      Terminal.error(unknown.description)
      exit(2)
    }
    // The parser's first line says "Error: "; ours say "error: ", as every other error line does.
    var message = Pleura.fullMessage(for: error)
    if message.hasPrefix("Error: ") { message = "error: " + message.dropFirst("Error: ".count) }
    FileHandle.standardError.write(Data((Terminal.escaped(message) + "\n").utf8))
    exit(2)
  }
}
