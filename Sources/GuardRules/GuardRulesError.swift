/// The one error type of `GuardRules`.
public struct GuardRulesError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable, Equatable {
        /// A GuardPolicy failed validation; ``GuardRulesError/fieldErrors`` lists every problem.
        case invalidPolicy
        /// A policy document could not be parsed at all (YAML/JSON syntax).
        case unreadablePolicy
        /// A GuardException failed validation; ``GuardRulesError/fieldErrors`` lists every problem.
        case invalidException
    }

    /// What went wrong.
    public let code: Code
    /// Every field problem, with its path, when the error is about fields.
    public let fieldErrors: [FieldError]
    /// A sentence for people.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String, fieldErrors: [FieldError] = []) {
        self.code = code
        self.message = message
        self.fieldErrors = fieldErrors
    }

    /// The message followed by each field error on its own line.
    public var description: String {
        ([message] + fieldErrors.map { "  - \($0)" }).joined(separator: "\n")
    }
}

import KubeModel
