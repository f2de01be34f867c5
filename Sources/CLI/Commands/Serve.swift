import ArgumentParser
import Curation
import Foundation
import Platform
import Server

extension Pleura {
  struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "The curation workbench: label videos and mark the pleura in a browser.",
      discussion: """
        Serves the catalog's videos, labels, ROIs, review, agreement and datasets on HTTP, loopback only
        unless --host says otherwise. With no account (`pleura user add`), whoever can connect on this
        machine edits as $USER; a --host other than loopback needs an account first. Every edit is a
        run of the same plugin as `pleura label` and `pleura roi set`, with the person as author.

        Example:
          pleura serve --port 8080
        """)
    @OptionGroup var catalogOptions: CatalogOptions
    @Option(help: "Address to listen on (127.0.0.1: this machine only).")
    var host = WorkbenchConfiguration().host
    @Option(help: "Port (0 picks a free one).") var port = WorkbenchConfiguration().port
    @Flag(help: "Blind mode: curators see only their own labels and ROIs.") var blind = false

    func validate() throws {
      guard (0...65535).contains(port) else { throw ValidationError("--port \(port) is not 0-65535") }
      guard !host.isEmpty, host.count <= 255 else {
        throw ValidationError("--host '\(host)' is not an address")
      }
    }

    func run() async throws {
      let catalog = try catalogOptions.open()
      let server: WorkbenchServer
      do {
        server = try WorkbenchServer(
          catalog: catalog, configuration: .init(host: host, port: port, blind: blind))
      } catch let error as WorkbenchServerError {
        throw ValidationError(error.description)
      }
      let accounts = try Accounts.count(in: catalog)
      let blindNote = blind ? " (blind mode)" : ""
      try await server.run { address in
        // Written straight to the file descriptor: whoever started the server (a script, a test)
        // reads the address at once, not when a stdio buffer fills.
        let who =
          accounts == 0
          ? "no accounts: anyone who can connect from this machine edits as "
            + (ProcessInfo.processInfo.environment["USER"] ?? "local")
          : "\(accounts) account(s); log in at \(address)login"
        let text =
          "pleura serve: \(address)\(blindNote) on \(catalog.root.path)\n\(who)\npress Ctrl-C to stop\n"
        FileHandle.standardOutput.write(Data(text.utf8))
      }
    }
  }

  struct User: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Workbench accounts: add one, or list them.",
      discussion: """
        Example:
          pleura user add alice --role curator
        """,
      subcommands: [Add.self, List.self])

    struct Add: AsyncParsableCommand {
      static let configuration = CommandConfiguration(
        abstract: "Add an account; the password is read from standard input (asked twice on a terminal).",
        discussion: """
          The password (10 characters or more) is stored as PBKDF2-HMAC-SHA-256 with a random salt.

          Example:
            pleura user add alice --role curator
          """)
      @OptionGroup var catalogOptions: CatalogOptions
      @Argument(help: "Account name (also the author of its edits).") var name: String
      @Option(help: "curator (labels, ROIs), reviewer (also adjudicates) or admin (also accounts).")
      var role =
        "curator"

      func validate() throws {
        guard WorkbenchUser.Role(rawValue: role) != nil else {
          throw ValidationError("--role '\(role)' is not one of curator, reviewer, admin")
        }
        do { try Accounts.validate(name: name) } catch { throw ValidationError(error.description) }
      }

      func run() async throws {
        let catalog = try catalogOptions.open()
        let password = try PasswordPrompt.read()
        guard password.count >= Accounts.minimumPasswordLength else {
          throw ValidationError(AccountError.weakPassword.description)
        }
        guard let role = WorkbenchUser.Role(rawValue: role) else {
          throw ValidationError("--role '\(role)' is not one of curator, reviewer, admin")
        }
        let user = WorkbenchUser(
          name: name, role: role,
          passwordHash: try PasswordHash.make(password),
          createdAt: Timestamp.now())
        do { try Accounts.add(user, to: catalog) } catch let error as AccountError {
          throw ValidationError(error.description)
        }
        print("added \(role.rawValue) \(name)")
      }
    }

    struct List: AsyncParsableCommand {
      static let configuration = CommandConfiguration(
        abstract: "List accounts with their role.",
        discussion: """
          Example:
            pleura user list --json
          """)
      @OptionGroup var catalogOptions: CatalogOptions
      @OptionGroup var output: OutputOptions

      func run() async throws {
        let users = try Accounts.all(in: try catalogOptions.open())
        struct Row: Encodable {
          var name: String
          var role: String
          var createdAt: String
        }
        let rows = users.map { Row(name: $0.name, role: $0.role.rawValue, createdAt: $0.createdAt) }
        if output.json { return try output.printJSON(rows) }
        Terminal.table(["NAME", "ROLE", "ADDED"], rows.map { [$0.name, $0.role, $0.createdAt] })
      }
    }
  }
}

/// Reads a password: twice, without echo, from a terminal; one line from a pipe.
enum PasswordPrompt {
  static func read() throws -> String {
    guard isatty(STDIN_FILENO) == 1 else {
      guard let line = readLine(strippingNewline: true) else {
        throw ValidationError("no password on standard input")
      }
      return line
    }
    let first = String(cString: getpass("password: "))
    let second = String(cString: getpass("again: "))
    guard first == second else { throw ValidationError("the two passwords differ; nothing was stored") }
    return first
  }
}
