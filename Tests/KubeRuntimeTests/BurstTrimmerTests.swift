import KubeRuntime
import Logging
import NIOConcurrencyHelpers
import Testing

@Suite("Burst trimmer") struct BurstTrimmerTests {
    @Test(arguments: [
        (0, 0, true, false),     // nothing done yet
        (12, 0, true, true),     // a burst is over
        (12, 0, false, false),   // still working
        (12, 12, true, false),   // already trimmed for this work
        (13, 12, true, true),    // more work since
    ])
    func decides(activity: Int, trimmedAt: Int, idle: Bool, trims: Bool) {
        #expect(BurstTrimmer.shouldTrim(activity: activity, trimmedAt: trimmedAt, idle: idle) == trims)
    }

    /// The service trims once per burst, only while idle, and stops when cancelled.
    @Test func trimsOncePerBurstWhenIdle() async throws {
        struct State { var activity = 0; var idle = true; var trims = 0 }
        let state = NIOLockedValueBox(State())
        let trimmer = BurstTrimmer(interval: .milliseconds(5), activity: { state.withLockedValue { $0.activity } },
                                   idle: { state.withLockedValue { $0.idle } },
                                   trim: { state.withLockedValue { $0.trims += 1 }; return true }, logger: Logger(label: "test"))
        let task = Task { try await trimmer.run() }
        func settle() async throws { try await Task.sleep(for: .milliseconds(60)) }
        try await settle()
        #expect(state.withLockedValue { $0.trims } == 0, "no work, no trim")
        state.withLockedValue { $0.activity = 40; $0.idle = false }
        try await settle()
        #expect(state.withLockedValue { $0.trims } == 0, "not while working")
        state.withLockedValue { $0.idle = true }
        try await settle()
        #expect(state.withLockedValue { $0.trims } == 1, "once the burst is over")
        try await settle()
        #expect(state.withLockedValue { $0.trims } == 1, "not again for the same work")
        task.cancel()
        _ = try? await task.value
    }
}
