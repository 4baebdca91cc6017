/// Why a reference page could not be generated.
public struct ReferenceDocsError: Error, Sendable, CustomStringConvertible {
    private enum Code: Sendable { case helpFailed, unreadable }
    private let code: Code
    /// What failed, with the command or file.
    public let description: String

    /// A command's `--help` failed (the command line and its output).
    static func helpFailed(_ what: String) -> ReferenceDocsError { ReferenceDocsError(code: .helpFailed, description: what) }
    /// A source file (a CRD) could not be read or parsed (the file and the cause).
    static func unreadable(_ what: String) -> ReferenceDocsError { ReferenceDocsError(code: .unreadable, description: what) }
}
