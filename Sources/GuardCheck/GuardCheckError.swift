/// The one error type of `GuardCheck`.
public struct GuardCheckError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable {
        /// A path given on the command line does not exist.
        case inputNotFound
        /// A file exists but cannot be read.
        case unreadableInput
        /// The policy file cannot be read, parsed or validated.
        case invalidPolicy
        /// An option has an unusable value (`--stage`, `--now`).
        case invalidOption
        /// Generated output cannot be written (a directory that cannot be created, a full disk).
        case unwritableOutput
    }

    /// What went wrong.
    public let code: Code
    /// A sentence naming the file or option.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
