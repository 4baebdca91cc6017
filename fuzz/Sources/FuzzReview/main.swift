import FuzzEntryPoints

/// libFuzzer's entry: one AdmissionReview body through decoding and both evaluation phases.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzReview(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzEntryPoints.review(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
