@testable import AdmissionServer
import Dispatch
import ServiceLifecycle
import Testing
import TestSupport

/// Work that prefers ``OffLoopExecutor`` runs on its queue's threads, child tasks included.
@Suite struct OffLoopExecutorTests {
    @Test func aTaskAndItsChildrenRunOnTheQueue() async {
        #expect(!OffLoopExecutor.isCurrent)
        let places = await withTaskExecutorPreference(OffLoopExecutor.shared) {
            await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<8 { group.addTask { OffLoopExecutor.isCurrent } }
                var places = [OffLoopExecutor.isCurrent]
                for await place in group { places.append(place) }
                return places
            }
        }
        #expect(places == Array(repeating: true, count: 9))
    }

    @Test func aServiceRunsOnTheQueue() async throws {
        struct Probe: Service {
            let seen: Locked<Bool>
            func run() async throws { seen.withLock { $0 = OffLoopExecutor.isCurrent } }
        }
        let seen = Locked(false)
        try await OffLoopService(base: Probe(seen: seen)).run()
        #expect(seen.current)
    }
}
