/// The one error type of `GuardRules`.
public struct GuardRulesError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: String, Sendable, Equatable {
        case invalidPolicy
        case unreadablePolicy
        case invalidException
        case invalidApproval
    }

    /// Every field problem, with its path, when the error is about fields.
    public let fieldErrors: [FieldError]
    /// A sentence for people.
    public let message: String

    private let code: Code
    /// The error underneath (a transport, database or parser error), kept as a value; `nil` when there is none.
    public let cause: (any Error)?

    private init(_ code: Code, _ message: String, fieldErrors: [FieldError] = [], cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.fieldErrors = fieldErrors
        self.cause = cause
    }

    /// A GuardPolicy failed validation; ``GuardRulesError/fieldErrors`` lists every problem.
    public static let invalidPolicy = Self(.invalidPolicy, "")
    /// `invalidPolicy` with its message, and the error underneath when there is one.
    public static func invalidPolicy(_ message: String, fieldErrors: [FieldError] = [], cause: (any Error)? = nil) -> Self {
        Self(.invalidPolicy, message, fieldErrors: fieldErrors, cause: cause)
    }

    /// A policy document could not be parsed at all (YAML/JSON syntax).
    public static let unreadablePolicy = Self(.unreadablePolicy, "")
    /// `unreadablePolicy` with its message, and the error underneath when there is one.
    public static func unreadablePolicy(_ message: String, fieldErrors: [FieldError] = [], cause: (any Error)? = nil) -> Self {
        Self(.unreadablePolicy, message, fieldErrors: fieldErrors, cause: cause)
    }

    /// A GuardException failed validation; ``GuardRulesError/fieldErrors`` lists every problem.
    public static let invalidException = Self(.invalidException, "")
    /// `invalidException` with its message, and the error underneath when there is one.
    public static func invalidException(_ message: String, fieldErrors: [FieldError] = [], cause: (any Error)? = nil) -> Self {
        Self(.invalidException, message, fieldErrors: fieldErrors, cause: cause)
    }

    /// A ChangeApproval failed validation; ``GuardRulesError/fieldErrors`` lists every problem.
    public static let invalidApproval = Self(.invalidApproval, "")
    /// `invalidApproval` with its message, and the error underneath when there is one.
    public static func invalidApproval(_ message: String, fieldErrors: [FieldError] = [], cause: (any Error)? = nil) -> Self {
        Self(.invalidApproval, message, fieldErrors: fieldErrors, cause: cause)
    }

    /// Errors match by kind (as the static constants name them), whatever their message.
    public static func == (lhs: GuardRulesError, rhs: GuardRulesError) -> Bool { lhs.code == rhs.code }

    /// The message followed by each field error on its own line.
    public var description: String {
        ([message] + fieldErrors.map { "  - \($0)" }).joined(separator: "\n")
    }
}

import KubeModel
