import ArgumentParser
import Foundation

extension ParsableCommand {
    /// Parses the process arguments and runs the command with odoo-guard's exit-code contract: help
    /// and version exit 0 on standard output; an `ExitCode` thrown by `run()` exits with that code;
    /// every other error — usage errors included — is printed to standard error and exits 2 (not
    /// ArgumentParser's 64), the same code as bad input.
    public static func mainWithGuardExitCodes() -> Never {
        do {
            var command = try parseAsRoot()
            try command.run()
            Foundation.exit(0)
        } catch {
            exitWithGuardCode(for: error)
        }
    }

    /// Exits the process for an error thrown by parsing or running, with the contract above.
    static func exitWithGuardCode(for error: any Error) -> Never {
        if exitCode(for: error) == .success {
            FileHandle.standardOutput.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(0)
        }
        if let code = error as? ExitCode { Foundation.exit(code.rawValue) }
        FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
        Foundation.exit(2)
    }
}

extension AsyncParsableCommand {
    /// The async form of ``ParsableCommand/mainWithGuardExitCodes()``, for commands whose `run` is async.
    public static func mainWithGuardExitCodes() async -> Never {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            Foundation.exit(0)
        } catch {
            exitWithGuardCode(for: error)
        }
    }
}
