import Foundation

/// The server's input files (certificate, key, policy, context) read as UTF-8 text.
enum TextFile {
    /// The file's text.
    /// - Throws: ``AdmissionServerError/unreadableFile`` naming `what` and the path.
    static func read(_ path: String, what: String) throws(AdmissionServerError) -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw AdmissionServerError.unreadableFile("cannot read the \(what) file \(path): \(error.localizedDescription)", cause: error)
        }
    }
}
