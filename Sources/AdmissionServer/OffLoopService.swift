import ServiceLifecycle

/// A service whose `run()` (and every child task it starts) prefers ``OffLoopExecutor``: the
/// webhook's background work — reloading files, the cluster watch, returning memory — reads, parses
/// and trims for milliseconds at a time, and stays off the event loops that serve reviews.
/// Shutdown and cancellation reach the wrapped service unchanged.
struct OffLoopService: Service, CustomStringConvertible {
    let base: any Service

    var description: String { "\(base)" }

    func run() async throws {
        try await withTaskExecutorPreference(OffLoopExecutor.shared) {
            try await base.run()
        }
    }
}
