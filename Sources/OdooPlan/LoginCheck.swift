import Foundation

/// What the synthetic check that ends a change's verification found at an environment's `/web/login`,
/// fetched through its Service: Odoo's login form, or why not.
public enum LoginCheck: Sendable, Equatable {
    /// HTTP 200 with Odoo's login form (`<form class="oe_login_form" …>` with its `login` field).
    case serving
    /// Anything else; the sentence says what answered.
    case failing(String)
    /// No check is configured (an operator started without one): the rollout and the restarts decide.
    case notConfigured

    /// Classifies an answer. A 200 is not enough: the sleeping page, an error page or another
    /// application behind the Service answer 200 too; a redirect is what Odoo sends when the
    /// database is missing or down (to the database selector).
    public static func classify(status: Int, location: String?, body: [UInt8]) -> LoginCheck {
        switch status {
        case 200:
            let text = String(decoding: body, as: UTF8.self)
            guard text.contains("oe_login_form"), text.contains("name=\"login\"") else {
                return .failing("/web/login answered 200 without Odoo's login form (the sleeping page, an error page or another application)")
            }
            return .serving
        case 300..<400:
            return .failing("/web/login answered \(status), redirecting to \(location ?? "nowhere") (Odoo sends the database selector when its database is missing or down)")
        default:
            return .failing("/web/login answered HTTP \(status)")
        }
    }

    /// The failure's sentence, `nil` when serving.
    public var failure: String? {
        if case .failing(let message) = self { return message }
        return nil
    }
}
