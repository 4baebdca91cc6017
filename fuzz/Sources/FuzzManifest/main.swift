import FuzzEntryPoints

/// libFuzzer's entry: one YAML stream through the manifest reader, policy and environment decoding,
/// planning and evaluation.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzManifest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzEntryPoints.manifest(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
