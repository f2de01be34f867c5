import Curation
import Foundation
import Hummingbird
import Logging
import Platform

/// What every handler shares: the catalog, the configuration, the sessions and the caches of
/// pictures made from videos. The catalog services do the writing, as the CLI's commands do.
final class Workbench: Sendable {
  let catalog: Catalog
  let configuration: WorkbenchConfiguration
  let sessions = SessionStore()
  let runner: Runner
  let lumaStacks = LumaStackCache()
  let suggestions = SuggestionCache()
  /// Who edits when the catalog has no accounts and only this machine can connect: `$USER`.
  let localUser: String

  init(catalog: Catalog, configuration: WorkbenchConfiguration, logger: Logger) {
    self.catalog = catalog
    self.configuration = configuration
    runner = Runner(catalog: catalog, logger: logger)
    let user = ProcessInfo.processInfo.environment["USER"] ?? "local"
    localUser = (try? Accounts.validate(name: user)) != nil ? user : "local"
  }

  /// True while the catalog has no account and the server listens on loopback only: everyone
  /// who can connect is this machine's user, as at the command line.
  func localMode() throws -> Bool {
    configuration.isLoopback ? try Accounts.count(in: catalog) == 0 : false
  }

  /// The viewer's perspective: blind mode hides other people's annotations from curators (a
  /// reviewer needs to see them to decide).
  func perspective(_ session: Session) -> Perspective {
    configuration.blind && session.role == .curator ? .blind(author: session.user) : .everyone
  }
}
