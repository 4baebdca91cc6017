import Foundation

/// `docs/reference/cli.md`: the `--help` of every command and subcommand of the built executables,
/// verbatim, found by following each help's SUBCOMMANDS.
public enum CLIReference {
    /// The executables, in the order of the page.
    public static let executables = ["guardctl", "guard-webhook", "guard-operator", "guard-traefik"]

    /// The page, with `help(executable, arguments)` answering `executable arguments… --help`.
    public static func page(help: (String, [String]) throws -> String) throws -> String {
        var text = GeneratedPage.header(title: "Command line", source: "the --help of each built command")
        text += "Every command and subcommand as its `--help` prints it. The guides say when to use which: [install](../install/README.md), [tenants](../tenants/README.md), [policy](../policy/README.md), [audit](../audit/README.md).\n\n"
        for executable in executables {
            text += try section(executable, [], help: help)
        }
        return text
    }

    static func section(_ executable: String, _ path: [String], help: (String, [String]) throws -> String) throws -> String {
        let output = try help(executable, path)
        let title = ([executable] + path).joined(separator: " ")
        var text = "\(path.isEmpty ? "##" : "###") `\(title)`\n\n```text\n\(output.trimmingCharacters(in: .whitespacesAndNewlines))\n```\n\n"
        // Three levels at most (`guardctl audit verify`): a help that lists itself cannot loop.
        for subcommand in path.count < 3 ? subcommands(output) : [] where subcommand != "help" && !path.contains(subcommand) {
            text += try section(executable, path + [subcommand], help: help)
        }
        return text
    }

    /// The subcommand names a help lists under SUBCOMMANDS (the first word of lines indented by two).
    static func subcommands(_ help: String) -> [String] {
        var result: [String] = []
        var inside = false
        for line in help.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("SUBCOMMANDS:") { inside = true; continue }
            guard inside else { continue }
            if line.trimmingCharacters(in: .whitespaces).isEmpty || !line.hasPrefix(" ") { break }
            guard line.hasPrefix("  "), !line.hasPrefix("   "), let word = line.split(separator: " ").first else { continue }
            if word.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "-" }) { result.append(String(word)) }
        }
        return result
    }

    /// Runs `directory/executable arguments… --help` with an 100-column layout and returns what it prints.
    public static func runHelp(directory: String, _ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: directory).appendingPathComponent(executable)
        process.arguments = arguments + ["--help"]
        var environment = ProcessInfo.processInfo.environment
        environment["COLUMNS"] = "100"
        environment["PATH"] = directory + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw ReferenceDocsError.helpFailed("\(executable) \((arguments + ["--help"]).joined(separator: " ")) exited \(process.terminationStatus): \(text.prefix(400))")
        }
        return text
    }
}
