import Foundation

/// One `WWW-Authenticate` challenge of a registry: `Basic realm="…"` or
/// `Bearer realm="https://auth…/token",service="registry",scope="repository:odoo/odoo:pull"`.
struct AuthChallenge: Sendable, Equatable {
    /// `basic` or `bearer` (lowercased).
    let scheme: String
    /// The parameters, keys lowercased.
    let parameters: [String: String]

    /// Parses the first challenge of a header value; `nil` when there is none.
    init?(header: String) {
        var rest = Substring(header).drop(while: { $0 == " " })
        guard let space = rest.firstIndex(of: " ") ?? (rest.isEmpty ? nil : rest.endIndex) else { return nil }
        scheme = rest[..<space].lowercased()
        rest = rest[space...]
        var parameters: [String: String] = [:]
        while true {
            rest = rest.drop(while: { $0 == " " || $0 == "," })
            guard let equals = rest.firstIndex(of: "=") else { break }
            let key = rest[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            rest = rest[rest.index(after: equals)...]
            var value = ""
            if rest.first == "\"" {
                rest = rest.dropFirst()
                var escaped = false
                var end = rest.endIndex
                for index in rest.indices {
                    let character = rest[index]
                    if escaped { value.append(character); escaped = false }
                    else if character == "\\" { escaped = true }
                    else if character == "\"" { end = index; break }
                    else { value.append(character) }
                }
                rest = end < rest.endIndex ? rest[rest.index(after: end)...] : rest[rest.endIndex...]
            } else {
                let end = rest.firstIndex(of: ",") ?? rest.endIndex
                value = rest[..<end].trimmingCharacters(in: .whitespaces)
                rest = rest[end...]
            }
            // A new scheme starts where a token has no '=' before the next space: stop at the first challenge.
            if key.contains(" ") { break }
            parameters[key] = value
        }
        self.parameters = parameters
    }
}
