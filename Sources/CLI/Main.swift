import ArgumentParser
import Foundation
import GRDB
import Platform

/// Exit codes: 0 success, 1 failure, 2 usage. Errors go to stderr, one clear line first; help goes to
/// stdout with exit 0.
@main
enum Main {
  static func main() async {
    let command: any ParsableCommand
    do {
      command = try await Pleura.asyncParseAsRoot()
    } catch {
      exitForParser(error)
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
    } catch is RowDecodingError {
      // GRDB's decoding errors quote the row, which may hold a patient code: say what happened
      // without the values.
      Terminal.error(CatalogError.unreadableRow.description)
      exit(1)
    } catch  where Pleura.exitCode(for: error) == .success {
      // `--help`, `help CMD` and group commands without a subcommand parse to the parser's own help
      // command, whose run throws the help request.
      exitForParser(error)
    } catch {
      // A read-only folder or a full disk: one line saying what and where, not the error codes.
      Terminal.error(
        StorageFault.describe(error, catalogRoot: CatalogOptions.inUse) ?? String(describing: error))
      exit(1)
    }
    exit(0)
  }

  /// What the argument parser throws: help, a version or a completion script on stdout with exit 0;
  /// a usage error on stderr with exit 2.
  static func exitForParser(_ error: any Error) -> Never {
    if Pleura.exitCode(for: error) == .success {
      let text = Pleura.fullMessage(for: error)
      if !text.isEmpty { print(text) }
      exit(0)
    }
    FileHandle.standardError.write(Data((Pleura.fullMessage(for: error) + "\n").utf8))
    exit(2)
  }
}
