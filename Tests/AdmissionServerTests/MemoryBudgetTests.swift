import Foundation
import Testing
@testable import AdmissionServer

/// Issue #33: reviews in flight share a memory budget derived from the container's limit.
@Suite struct MemoryBudgetTests {
    @Test func theBudgetIsTheLimitLessTheReserveAndNeverBelowAQuarter() {
        #expect(MemoryBudget(limitBytes: 256 * 1_048_576).capacity == 160 * 1_048_576)
        #expect(MemoryBudget(limitBytes: 64 * 1_048_576).capacity == 16 * 1_048_576)
        #expect(MemoryBudget(limitBytes: nil).capacity == Int.max / 2)
        let budget = MemoryBudget(limitBytes: 256 * 1_048_576)
        #expect(budget.cost(ofBody: 5_000_000) == 5_000_000 * MemoryBudget.costPerBodyByte)
        #expect(budget.cost(ofBody: 10) == 4_096 * MemoryBudget.costPerBodyByte)
        #expect(budget.cost(ofBody: Int.max) == Int.max / 2)
    }

    @Test func oneReviewIsAlwaysAdmittedAndTheRestWaitForMemory() async {
        let budget = MemoryBudget(limitBytes: 64 * 1_048_576)
        let big = budget.cost(ofBody: 7 * 1_048_576)
        #expect(big > budget.capacity)
        #expect(budget.tryReserve(big), "alone, a review over the budget is still served")
        #expect(!budget.tryReserve(budget.cost(ofBody: 1_000)))
        let started = ContinuousClock.now
        #expect(await budget.reserve(budget.cost(ofBody: 1_000), within: .milliseconds(100)) == false)
        #expect(ContinuousClock.now - started >= .milliseconds(100))
        // Released during the wait: the waiting review gets in.
        let waiting = Task { await budget.reserve(budget.cost(ofBody: 1_000), within: .seconds(5)) }
        try? await Task.sleep(for: .milliseconds(50))
        budget.release(big, bodyBytes: 7 * 1_048_576)
        #expect(await waiting.value)
        #expect(budget.usage.reviews == 1)
        // A large body that ended asks for freed memory to be returned at the next few checks (others may
        // be in flight); a small one does not.
        for _ in 0..<MemoryBudget.trimsAfterLargeReview { #expect(budget.takeTrimRequest()) }
        #expect(!budget.takeTrimRequest())
        budget.release(budget.cost(ofBody: 1_000), bodyBytes: 1_000)
        #expect(!budget.takeTrimRequest())
        #expect(budget.usage == (0, 0))
    }

    @Test func theContainerLimitIsReadFromTheCgroup() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cgroup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("memory"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        #expect(MemoryBudget.containerLimit(root: root.path) == nil)
        try Data("9223372036854771712\n".utf8).write(to: root.appendingPathComponent("memory/memory.limit_in_bytes"))
        #expect(MemoryBudget.containerLimit(root: root.path) == nil, "cgroup v1's unlimited value")
        try Data("536870912\n".utf8).write(to: root.appendingPathComponent("memory/memory.limit_in_bytes"))
        #expect(MemoryBudget.containerLimit(root: root.path) == 536_870_912)
        try Data("max\n".utf8).write(to: root.appendingPathComponent("memory.max"))
        #expect(MemoryBudget.containerLimit(root: root.path) == nil, "cgroup v2 without a limit")
        try Data("268435456\n".utf8).write(to: root.appendingPathComponent("memory.max"))
        #expect(MemoryBudget.containerLimit(root: root.path) == 268_435_456)
    }

    @Test func theFlagTakesBytesOrAQuantity() throws {
        #expect(try MemoryBudget.parseLimit("256Mi") == 268_435_456)
        #expect(try MemoryBudget.parseLimit("1G") == 1_000_000_000)
        #expect(try MemoryBudget.parseLimit("300000000") == 300_000_000)
        for bad in ["lots", "-1", "0", "99999999999999999999Ei"] {
            #expect(throws: AdmissionServerError.self, "\(bad)") { try MemoryBudget.parseLimit(bad) }
        }
    }
}
