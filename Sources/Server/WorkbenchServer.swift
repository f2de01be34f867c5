import Curation
import Foundation
import Hummingbird
import Logging
import NIOCore
import Platform

public enum WorkbenchServerError: Error, CustomStringConvertible {
  case noAccountForNetwork(host: String)

  public var description: String {
    switch self {
    case .noAccountForNetwork(let host):
      "--host \(host) lets other machines connect, and this catalog has no account: add one first with "
        + "`pleura user add NAME --role admin`"
    }
  }
}

/// `pleura serve`: the curation workbench over one catalog.
///
/// ```swift
/// let server = try WorkbenchServer(catalog: catalog, configuration: .init(port: 8080))
/// try await server.run { address in print("serving on \(address)") }
/// ```
public struct WorkbenchServer: Sendable {
  let workbench: Workbench
  let logger: Logger

  public init(catalog: Catalog, configuration: WorkbenchConfiguration, logger: Logger? = nil) throws {
    var log = logger ?? Logger(label: "pleura-serve")
    if logger == nil { log.logLevel = .notice }
    if !configuration.isLoopback, try Accounts.count(in: catalog) == 0 {
      throw WorkbenchServerError.noAccountForNetwork(host: configuration.host)
    }
    self.logger = log
    workbench = Workbench(catalog: catalog, configuration: configuration, logger: log)
  }

  public func router() -> Router<WorkbenchContext> {
    let router = Router(context: WorkbenchContext.self)
    router.add(middleware: WorkbenchMiddleware(workbench: workbench))
    AssetRoutes().add(to: router)
    AuthRoutes(workbench: workbench).add(to: router)
    ApiRoutes(workbench: workbench).add(to: router)
    MediaRoutes(workbench: workbench).add(to: router)
    PageRoutes(workbench: workbench).add(to: router)
    return router
  }

  public func application(onRunning: @escaping @Sendable (String) -> Void = { _ in })
    -> some ApplicationProtocol
  {
    let configuration = workbench.configuration
    return Application(
      router: router(),
      configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
      onServerRunning: { channel in
        let port = channel.localAddress?.port ?? configuration.port
        let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        onRunning("http://\(host):\(port)/")
      },
      logger: logger)
  }

  /// Serves until interrupted (SIGINT or SIGTERM); `onRunning` gets the address once bound.
  public func run(onRunning: @escaping @Sendable (String) -> Void) async throws {
    try await application(onRunning: onRunning).runService()
  }
}
