import Foundation

/// Writes to the process's standard streams (the executables' only output path).
public enum Console {
    /// Writes text to standard output.
    public static func out(_ text: String) { FileHandle.standardOutput.write(Data(text.utf8)) }
    /// Writes bytes to standard output.
    public static func out(_ bytes: [UInt8]) { FileHandle.standardOutput.write(Data(bytes)) }
    /// Writes text to standard error.
    public static func err(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
}
