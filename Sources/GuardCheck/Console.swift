import Foundation

/// Writes to the process's standard streams (the executables' only output path).
public enum Console {
    /// Writes text to standard output, from the string's own UTF-8 storage (no copy of a large report).
    public static func out(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return }
            FileHandle.standardOutput.write(Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: bytes.count, deallocator: .none))
        }
    }
    /// Writes bytes to standard output.
    public static func out(_ bytes: [UInt8]) { FileHandle.standardOutput.write(Data(bytes)) }
    /// Writes text to standard error.
    public static func err(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
}
