import Foundation

extension PostgresDSN {
    /// Reads a DSN from a file (a mounted Secret key), so it never appears in a process's arguments.
    /// Surrounding whitespace and a trailing newline are ignored.
    /// - Throws: ``PostgresAccessError/invalidDSN`` naming the file when it cannot be read, is empty, or
    ///   holds no valid DSN (never the password).
    public init(contentsOfFile path: String) throws(PostgresAccessError) {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw PostgresAccessError.invalidDSN("\(path): the DSN file cannot be read (\(error.localizedDescription))", cause: error)
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw PostgresAccessError.invalidDSN("\(path): the DSN file is empty") }
        do { try self.init(trimmed) } catch {
            throw PostgresAccessError.invalidDSN("\(path): \(error.message)", cause: error)
        }
    }
}
