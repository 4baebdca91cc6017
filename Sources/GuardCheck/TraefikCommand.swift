import Foundation
import KubeModel
import OdooPlan
import TraefikGen

/// What `guard-traefik` does, as a library call the tests use directly: read OdooEnvironments or
/// routing specs, validate all of them, generate, and write to standard output or a directory.
///
/// Exit codes: 0 written; 2 bad input or options (every problem listed, nothing written); 1 the
/// output could not be written (files already in place are left as they were).
public enum TraefikCommand {
    /// Options of `guard-traefik`.
    public struct Options: Sendable {
        /// Files, directories or `-`.
        public var inputs: [String]
        /// `v3` or `v2`.
        public var target: String
        /// `crd` or `file`.
        public var format: String
        /// A directory to write one file per environment into; `nil` for standard output.
        public var outputDirectory: String?
        /// Platform settings (default namespace, entry points, upstream host).
        public var defaults: RoutingDefaults
        /// Where the file provider finds certificates.
        public var certificateDirectory: String

        /// Options.
        public init(inputs: [String], target: String = "v3", format: String = "crd", outputDirectory: String? = nil,
                    defaults: RoutingDefaults = RoutingDefaults(), certificateDirectory: String = "/etc/traefik/certs") {
            self.inputs = inputs
            self.target = target
            self.format = format
            self.outputDirectory = outputDirectory
            self.defaults = defaults
            self.certificateDirectory = certificateDirectory
        }
    }

    /// The outcome of a run.
    public struct Outcome: Sendable {
        /// Bytes for standard output.
        public var standardOutput: [UInt8]
        /// Text for standard error.
        public var standardError: String
        /// The process exit code.
        public var exitCode: Int32
    }

    /// The command-line flag of each ``RoutingDefaults`` field, for error messages.
    static let flagNames = ["namespace": "--namespace", "webEntryPoint": "--web-entrypoint",
                            "secureEntryPoint": "--secure-entrypoint", "upstreamHost": "--upstream"]

    /// Runs the generator.
    public static func run(_ options: Options, standardInput: () -> [UInt8] = { ManifestSource.readStandardInput() }) -> Outcome {
        var problems: [String] = []
        let target = TraefikTarget(rawValue: options.target)
        if target == nil { problems.append("--target must be v3 or v2, not \"\(options.target)\"") }
        let format = TraefikGenerator.Format(rawValue: options.format)
        if format == nil { problems.append("--format must be crd or file, not \"\(options.format)\"") }
        problems += options.defaults.problems(names: flagNames).map { "\($0.path): \($0.message)" }
        if options.inputs.isEmpty { problems.append("name at least one file, directory or - for standard input") }
        guard problems.isEmpty, let target, let format else { return failure(problems, code: 2) }

        let specs: [RoutingSpec]
        do throws(GuardCheckError) {
            specs = try readSpecs(options.inputs, defaults: options.defaults, standardInput: standardInput, problems: &problems)
        } catch {
            return failure([error.message], code: 2)
        }
        if problems.isEmpty && specs.isEmpty { problems.append("the inputs hold no OdooEnvironment or routing spec") }
        guard problems.isEmpty else { return failure(problems, code: 2) }

        let generator = TraefikGenerator(target: target, certificateDirectory: options.certificateDirectory)
        do throws(TraefikGenError) {
            guard let directory = options.outputDirectory else {
                return Outcome(standardOutput: try generator.yaml(for: specs, format: format), standardError: "", exitCode: 0)
            }
            let files = try generator.files(for: specs, format: format)
            do throws(GuardCheckError) {
                try write(files, into: directory)
            } catch {
                return failure([error.message], code: 1)
            }
            let summary = "wrote \(files.count) file\(files.count == 1 ? "" : "s") to \(directory)\n"
            return Outcome(standardOutput: [], standardError: summary, exitCode: 0)
        } catch {
            return failure([error.description], code: 2)
        }
    }

    /// Reads and validates every document of every input; problems are collected, not thrown, so
    /// one run lists them all.
    static func readSpecs(_ inputs: [String], defaults: RoutingDefaults, standardInput: () -> [UInt8],
                          problems: inout [String]) throws(GuardCheckError) -> [RoutingSpec] {
        var specs: [RoutingSpec] = []
        try ManifestSource.forEachDocument(inputs, standardInput: standardInput, problems: &problems) { place, items in
            var found: [String] = []
            for result in RoutingSpec.decodeAll(items, defaults: defaults) {
                switch result {
                case .success(let spec): specs.append(spec)
                case .failure(let error): found.append("\(place): \(error.description)")
                }
            }
            return found
        }
        return specs
    }

    /// Writes every file to a temporary name first, then renames them all into place, so a failure
    /// leaves no half-written file.
    static func write(_ files: [TraefikGenerator.GeneratedFile], into directory: String) throws(GuardCheckError) {
        let fileManager = FileManager.default
        do {
            try fileManager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw GuardCheckError.unwritableOutput("\(directory): cannot create the directory (\(error.localizedDescription))", cause: error)
        }
        let suffix = ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
        var written: [String] = []
        func cleanUp() { for path in written { try? fileManager.removeItem(atPath: path) } }
        for file in files {
            let temporary = directory + "/." + file.name + suffix
            guard fileManager.createFile(atPath: temporary, contents: Data(file.contents)) else {
                cleanUp()
                throw GuardCheckError.unwritableOutput("\(directory)/\(file.name): cannot be written; nothing was changed")
            }
            written.append(temporary)
        }
        for file in files {
            let temporary = directory + "/." + file.name + suffix
            if rename(temporary, directory + "/" + file.name) != 0 {
                cleanUp()
                throw GuardCheckError.unwritableOutput("\(directory)/\(file.name): cannot be moved into place (\(String(cString: strerror(errno))))")
            }
            written.removeAll { $0 == temporary }
        }
    }

    private static func failure(_ problems: [String], code: Int32) -> Outcome {
        Outcome(standardOutput: [], standardError: problems.map { "error: \($0)\n" }.joined(), exitCode: code)
    }
}
