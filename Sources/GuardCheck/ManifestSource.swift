import Foundation
import KubeModel

/// The input files of a check: files, directories searched recursively for `*.yaml`, `*.yml` and
/// `*.json`, and `-` for standard input.
public enum ManifestSource {
    /// One input to read.
    public enum Input: Sendable, Equatable {
        /// A file path.
        case file(String)
        /// Standard input.
        case standardInput
    }

    /// Expands arguments into inputs in a stable order (directories sorted by path).
    /// - Throws: ``GuardCheckError`` `inputNotFound` for a path that does not exist.
    public static func expand(_ arguments: [String]) throws(GuardCheckError) -> [Input] {
        var inputs: [Input] = []
        let fileManager = FileManager.default
        for argument in arguments {
            if argument == "-" { inputs.append(.standardInput); continue }
            var isDirectory: ObjCBool = false
            guard fileManager.fileExists(atPath: argument, isDirectory: &isDirectory) else {
                throw GuardCheckError.inputNotFound("\(argument): no such file or directory")
            }
            guard isDirectory.boolValue else { inputs.append(.file(argument)); continue }
            guard let enumerator = fileManager.enumerator(atPath: argument) else {
                throw GuardCheckError.inputNotFound("\(argument): cannot list the directory")
            }
            var found: [String] = []
            while let relative = enumerator.nextObject() as? String {
                let lower = relative.lowercased()
                guard lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") || lower.hasSuffix(".json") else { continue }
                if relative.split(separator: "/").contains(where: { $0.hasPrefix(".") }) { continue }
                found.append(argument.hasSuffix("/") ? argument + relative : argument + "/" + relative)
            }
            inputs.append(contentsOf: found.sorted().map(Input.file))
        }
        return inputs
    }

    /// Reads an input's bytes.
    /// - Throws: ``GuardCheckError`` `unreadableInput` naming the file.
    public static func read(_ input: Input) throws(GuardCheckError) -> [UInt8] {
        switch input {
        case .standardInput:
            return readStandardInput()
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path) else {
                throw GuardCheckError.unreadableInput("\(path): cannot be read")
            }
            return Array(data)
        }
    }


    /// Reads every document of every input and calls `body` with each document's place
    /// (`file: document N (line L)`) and its objects (a `List`'s items, or the document itself);
    /// `body` returns the problems it found. Those, unreadable inputs and unparseable documents are
    /// recorded in `problems` in input order, and reading goes on, so one run reports them all.
    /// - Throws: ``GuardCheckError`` when an argument names nothing that exists.
    static func forEachDocument(_ inputs: [String], standardInput: () -> [UInt8], problems: inout [String],
                                _ body: (_ place: String, _ items: [JSONValue]) -> [String]) throws(GuardCheckError) {
        for input in try expand(inputs) {
            let bytes: [UInt8]
            do {
                bytes = input == .standardInput ? standardInput() : try read(input)
            } catch {
                problems.append(error.message)
                continue
            }
            for document in ManifestReader.read(bytes, format: format(of: input)) {
                let place = "\(input.displayName): document \(document.index) (line \(document.line))"
                switch document.result {
                case .failure(let error): problems.append("\(place): \(error.message)")
                case .success(let value): problems += body(place, ManifestReader.listItems(value) ?? [value])
                }
            }
        }
    }

    /// The format to parse an input with: by extension, else detected from the content.
    static func format(of input: Input) -> ManifestReader.Format {
        guard case .file(let path) = input else { return .detect }
        let lower = path.lowercased()
        if lower.hasSuffix(".json") { return .json }
        if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") { return .yaml }
        return .detect
    }
}

extension ManifestSource.Input {
    /// The name shown in reports (`-` for standard input).
    public var displayName: String {
        switch self {
        case .file(let path): return path
        case .standardInput: return "-"
        }
    }
}
