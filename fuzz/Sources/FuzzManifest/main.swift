import FuzzEntryPoints
import Foundation

// libFuzzer's driver runs the loop; SwiftPM renames an executable's main, so instead of libFuzzer's own
// main this one hands argc/argv to LLVMFuzzerRunDriver (exported by the -sanitize=fuzzer runtime).
@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
               _ test: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// One input through FuzzEntryPoints/manifest(_:); a broken promise is a crash libFuzzer reports and keeps.
let test: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt = { data, size in
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let problems = FuzzEntryPoints.manifest(bytes)
    if !problems.isEmpty { fatalError("broken promise: \(problems)") }
    return 0
}

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(runDriver(&argc, &argv, test))
