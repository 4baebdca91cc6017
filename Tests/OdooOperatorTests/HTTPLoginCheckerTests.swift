import Foundation
import OdooOperator
import OdooPlan
import Testing
import TestSupport

/// The synthetic check over real HTTP: Odoo's login form, a page that is not Odoo's, nothing
/// listening. With `ODOO_LOGIN_URL` (and `ODOO_LOGIN_EXPECT=serving|failing`) it also checks a real
/// Odoo's `/web/login`, as the closing notes report.
@Suite("HTTP login check")
struct HTTPLoginCheckerTests {
    @Test func theLoginFormPassesAndAnotherPageOrNoServerFails() async throws {
        try await LoginPageServer(broken: ["sleeping"]).serving { base in
            let checker = HTTPLoginChecker(url: { _, service in "\(base)/\(service)/web/login" })
            #expect(await checker.check(namespace: "n", service: "clinic") == .serving)
            #expect(await checker.check(namespace: "n", service: "sleeping").failure?.contains("without Odoo's login form") == true)
            #expect(await checker.check(namespace: "n", service: "unknown/path").failure?.contains("HTTP 404") == true)
            // The redirect is the answer, not the page it leads to (which answers 200).
            let selector = await checker.check(namespace: "n", service: LoginPageServer.missingDatabase).failure ?? ""
            #expect(selector.contains("303") && selector.contains("/web/database/selector"), "\(selector)")
        }
        // Port 1 on loopback: nothing listens; the check fails with the transport's words, it does not throw.
        let refused = await HTTPLoginChecker(url: { _, _ in "http://127.0.0.1:1/web/login" }).check(namespace: "n", service: "s")
        #expect(refused.failure != nil, "\(refused)")
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["ODOO_LOGIN_URL"] != nil, "set ODOO_LOGIN_URL to check a real Odoo"))
    func aRealOdoo() async throws {
        let environment = ProcessInfo.processInfo.environment
        let url = try #require(environment["ODOO_LOGIN_URL"])
        let result = await HTTPLoginChecker(url: { _, _ in url }).check(namespace: "n", service: "s")
        let expected = environment["ODOO_LOGIN_EXPECT"] ?? "serving"
        #expect((result == .serving) == (expected == "serving"), "\(url): \(result)")
        // What the check said, for the closing note.
        Issue.record(Comment(rawValue: "login check of \(url): \(result)"), severity: .warning)
    }
}
