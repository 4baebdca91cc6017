import Hummingbird

/// Serves `router` on 127.0.0.1 (a free port) while `body` runs, then stops it; `body` gets the port.
public func servingOnLoopback<T: Sendable>(_ router: Router<BasicRequestContext>, _ body: @Sendable (Int) async throws -> T) async throws -> T {
    let port = try FreePort.next()
    let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
    return try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await app.run(); return nil }
        try await offPool { try Subprocess.waitForPort(port) }
        let result = try await body(port)
        group.cancelAll()
        return result
    }
}
