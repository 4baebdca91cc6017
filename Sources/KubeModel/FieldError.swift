/// One problem with one field, in words a tenant can act on (cert-manager style validation).
public struct FieldError: Sendable, Hashable, CustomStringConvertible {
    /// Where the problem is.
    public var path: FieldPath
    /// What is wrong and what to do.
    public var message: String

    /// A field error.
    public init(_ path: FieldPath, _ message: String) {
        self.path = path
        self.message = message
    }

    /// A required field is missing.
    public static func required(_ path: FieldPath, _ what: String = "is required") -> FieldError {
        FieldError(path, what)
    }

    /// A field has an unusable value.
    public static func invalid(_ path: FieldPath, _ why: String) -> FieldError {
        FieldError(path, why)
    }

    /// `path: message`.
    public var description: String { "\(path): \(message)" }
}
