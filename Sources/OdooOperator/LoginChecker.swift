import AsyncHTTPClient
import Foundation
import NIOCore
import OdooPlan

/// Fetches an environment's `/web/login` for the synthetic check that ends a change's verification.
/// Must not throw: a transport failure is a ``OdooPlan/LoginCheck/failing(_:)`` naming it.
public protocol LoginChecking: Sendable {
    /// The check of the environment whose web Service is `service` in `namespace`.
    func check(namespace: String, service: String) async -> LoginCheck
}

/// The check over HTTP, through the environment's Service (`http://SERVICE.NAMESPACE.svc:8069/web/login`
/// unless `url` says otherwise), 5 seconds at most, reading at most 256 KiB of the page.
public struct HTTPLoginChecker: LoginChecking {
    /// Where an environment's login page is.
    public let url: @Sendable (_ namespace: String, _ service: String) -> String
    /// The most of the page read.
    public static let maximumBody = 256 * 1024

    /// A checker; `url` maps an environment's Service to the address fetched (a test points it at a local server).
    public init(url: @escaping @Sendable (_ namespace: String, _ service: String) -> String = { "http://\($1).\($0).svc:8069/web/login" }) {
        self.url = url
    }

    /// The process's client for the check: one connection pool, and redirects not followed — Odoo
    /// redirects `/web/login` to the database selector when its database is missing, and that
    /// redirect is the answer (a real Odoo 17 answers 303 there; following it finds a 200 page).
    static let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: HTTPClient.Configuration(redirectConfiguration: .disallow))

    /// Fetches the page and classifies it (``OdooPlan/LoginCheck/classify(status:location:body:)``).
    public func check(namespace: String, service: String) async -> LoginCheck {
        var request = HTTPClientRequest(url: url(namespace, service))
        request.method = .GET
        request.headers.add(name: "User-Agent", value: "odoo-guard change verification")
        do {
            let response = try await Self.client.execute(request, timeout: .seconds(5))
            var body = try await response.body.collect(upTo: Self.maximumBody)
            let bytes = body.readBytes(length: body.readableBytes) ?? []
            return LoginCheck.classify(status: Int(response.status.code), location: response.headers.first(name: "Location"), body: bytes)
        } catch {
            return .failing("no answer from /web/login of Service \(service) in \(namespace): \(error)")
        }
    }
}
