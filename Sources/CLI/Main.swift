import ArgumentParser
import Foundation
import GRDB
import Platform

/// Exit codes: 0 success, 1 failure, 2 usage. Errors go to stderr, one clear line first.
@main
enum Main {
  static func main() async {
    let command: any ParsableCommand
    do {
      command = try Pleura.parseAsRoot()
    } catch {
      let code = Pleura.exitCode(for: error)
      if code == .success { Pleura.exit(withError: error) }
      FileHandle.standardError.write(Data((Pleura.fullMessage(for: error) + "\n").utf8))
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
    } catch is RowDecodingError {
      // GRDB's decoding errors quote the row, which may hold a patient code: say what happened
      // without the values.
      Terminal.error(CatalogError.unreadableRow.description)
      exit(1)
    } catch {
      Terminal.error(String(describing: error))
      exit(1)
    }
    exit(0)
  }
}
