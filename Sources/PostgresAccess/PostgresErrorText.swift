import PostgresNIO

/// Turns postgres-nio errors into one line with the server's own message (PSQLError hides it from
/// `description` so that queries never leak into logs by accident; ours carry no secrets).
public enum PostgresErrorText {
    /// One line: the server's message and SQLSTATE, or the client error.
    public static func describe(_ error: any Error) -> String {
        guard let psql = error as? PSQLError else { return "\(error)" }
        if let message = psql.serverInfo?[.message] {
            let code = psql.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
            return message + code
        }
        if let underlying = psql.underlying { return "\(psql.code): \(underlying)" }
        return "\(psql.code)"
    }
}
