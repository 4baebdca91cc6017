import Foundation
import Hummingbird

/// What an environment's `/web/login` answers in tests of a release's synthetic check: Odoo 17's
/// login form (the markers Odoo's `web.login` template renders), or a page that is not Odoo's, per
/// Service, on 127.0.0.1. Serves `GET /SERVICE/web/login`.
public struct LoginPageServer: Sendable {
    /// Services whose login page is replaced by a plain page (as the sleeping page or an error page answers).
    public let broken: Set<String>

    /// A server; `broken` names the Services that do not answer Odoo's form.
    public init(broken: Set<String> = []) { self.broken = broken }

    /// The Service whose login page redirects to the database selector, as a real Odoo 17 does without its database.
    public static let missingDatabase = "no-database"

    /// Odoo 17's login form, reduced to what the check looks for.
    public static let odooForm = """
        <!DOCTYPE html><html><body><form class="oe_login_form" role="form" action="/web/login" method="post">
        <input type="text" placeholder="Email" name="login" id="login" required="required"/>
        <input type="password" name="password" id="password" required="required"/></form></body></html>
        """

    /// Serves while `body` runs; `body` gets the base URL (`http://127.0.0.1:PORT`).
    public func serving<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        let router = Router()
        let broken = self.broken
        router.get(":service/web/login") { _, context -> Response in
            let service = context.parameters.get("service") ?? ""
            // As Odoo answers when its database is missing: a redirect to the database selector.
            if service == Self.missingDatabase {
                return Response(status: .seeOther, headers: [.location: "/web/database/selector"])
            }
            let page = broken.contains(service) ? "<html><head><meta http-equiv=\"refresh\" content=\"60\"></head><body>Sleeping until 07:00</body></html>" : Self.odooForm
            return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: page)))
        }
        return try await servingOnLoopback(router) { port in try await body("http://127.0.0.1:\(port)") }
    }
}
