/// The one error type of `GuardCheck`.
public struct GuardCheckError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: String, Sendable, Equatable {
        case inputNotFound
        case unreadableInput
        case invalidPolicy
        case invalidOption
        case unwritableOutput
    }

    /// A sentence naming the file or option.
    public let message: String

    private let code: Code
    /// The error underneath (a transport, database or parser error), kept as a value; `nil` when there is none.
    public let cause: (any Error)?

    private init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// A path given on the command line does not exist.
    public static let inputNotFound = Self(.inputNotFound, "")
    /// `inputNotFound` with its message, and the error underneath when there is one.
    public static func inputNotFound(_ message: String, cause: (any Error)? = nil) -> Self { Self(.inputNotFound, message, cause: cause) }

    /// A file exists but cannot be read.
    public static let unreadableInput = Self(.unreadableInput, "")
    /// `unreadableInput` with its message, and the error underneath when there is one.
    public static func unreadableInput(_ message: String, cause: (any Error)? = nil) -> Self { Self(.unreadableInput, message, cause: cause) }

    /// The policy file cannot be read, parsed or validated.
    public static let invalidPolicy = Self(.invalidPolicy, "")
    /// `invalidPolicy` with its message, and the error underneath when there is one.
    public static func invalidPolicy(_ message: String, cause: (any Error)? = nil) -> Self { Self(.invalidPolicy, message, cause: cause) }

    /// An option has an unusable value (`--stage`, `--now`).
    public static let invalidOption = Self(.invalidOption, "")
    /// `invalidOption` with its message, and the error underneath when there is one.
    public static func invalidOption(_ message: String, cause: (any Error)? = nil) -> Self { Self(.invalidOption, message, cause: cause) }

    /// Generated output cannot be written (a directory that cannot be created, a full disk).
    public static let unwritableOutput = Self(.unwritableOutput, "")
    /// `unwritableOutput` with its message, and the error underneath when there is one.
    public static func unwritableOutput(_ message: String, cause: (any Error)? = nil) -> Self { Self(.unwritableOutput, message, cause: cause) }

    /// Errors match by kind (as the static constants name them), whatever their message.
    public static func == (lhs: GuardCheckError, rhs: GuardCheckError) -> Bool { lhs.code == rhs.code }

    /// The message.
    public var description: String { message }
}
