import ArgumentParser
import GuardCheck

/// `guardctl policy`: the embedded default GuardPolicy, and validation of policy files.
public struct Policy: ParsableCommand {
    /// Its subcommands.
    public static let configuration = CommandConfiguration(
        abstract: "Show or validate GuardPolicies.", subcommands: [ShowDefault.self, Validate.self, MaskingSQL.self])

    /// The command group.
    public init() {}

    /// `guardctl policy default`.
    public struct ShowDefault: ParsableCommand {
        /// Its name and help.
        public static let configuration = CommandConfiguration(commandName: "default", abstract: "Print the embedded default GuardPolicy.")
        /// The command.
        public init() {}
        /// Prints the policy.
        public func run() throws { Console.out(PolicyCommand.defaultPolicyText) }
    }

    /// `guardctl policy validate FILE`.
    public struct Validate: ParsableCommand {
        /// Its help.
        public static let configuration = CommandConfiguration(abstract: "Validate a GuardPolicy file, listing every problem.")
        /// The policy file.
        @Argument(help: "The policy file.") public var file: String
        /// The command.
        public init() {}
        /// Validates, prints every problem, exits 0 or 2.
        public func run() throws {
            let outcome = PolicyCommand.validate(file)
            Console.out(outcome.standardOutput)
            Console.err(outcome.standardError)
            if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
        }
    }

    /// `guardctl policy masking-sql [FILE]`.
    public struct MaskingSQL: ParsableCommand {
        /// Its name and help.
        public static let configuration = CommandConfiguration(
            commandName: "masking-sql", abstract: "Print the SQL a staging refresh runs to mask production data under a GuardPolicy.",
            discussion: "Exit status: 0 printed, 1 the policy turns masking off, 2 an invalid policy.")
        /// The policy file.
        @Argument(help: "The policy file (default: the embedded policy).") public var file: String?
        /// The command.
        public init() {}
        /// Prints the script.
        public func run() throws {
            let outcome = PolicyCommand.maskingSQL(file)
            Console.out(outcome.standardOutput)
            Console.err(outcome.standardError)
            if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
        }
    }
}
