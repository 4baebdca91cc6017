extension StringProtocol {
    /// Runs `body` over the UTF-8 bytes without copying when the string is contiguous.
    @inline(__always)
    public func withUTF8Bytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = utf8.withContiguousStorageIfAvailable(body) { return result }
        return Array(utf8).withUnsafeBufferPointer(body)
    }

    /// Whether the text contains `needle`, compared byte by byte (no Unicode normalisation; cheap).
    public func containsBytes(_ needle: String) -> Bool {
        firstByteOffset(of: needle) != nil
    }

    /// The byte offset of the first occurrence of `needle`, compared byte by byte.
    public func firstByteOffset(of needle: String) -> Int? {
        withUTF8Bytes { haystack in
            needle.withUTF8Bytes { pattern in ByteSearch.firstOffset(of: pattern, in: haystack) }
        }
    }

    /// The text with every occurrence of `target` replaced, compared byte by byte.
    public func replacingBytes(_ target: String, with replacement: String) -> String {
        withUTF8Bytes { text in
            target.withUTF8Bytes { pattern in
                guard let first = pattern.first, text.count >= pattern.count else { return String(self) }
                var output: [UInt8] = []
                output.reserveCapacity(text.count + replacement.utf8.count)
                var i = 0
                while i < text.count {
                    if text[i] == first && i + pattern.count <= text.count {
                        var j = 1
                        while j < pattern.count && text[i + j] == pattern[j] { j += 1 }
                        if j == pattern.count {
                            output.append(contentsOf: replacement.utf8)
                            i += pattern.count
                            continue
                        }
                    }
                    output.append(text[i])
                    i += 1
                }
                return String(decoding: output, as: UTF8.self)
            }
        }
    }
}

/// Substring search on raw bytes, for hot paths that must not allocate.
public enum ByteSearch {
    /// The offset of the first occurrence of `needle` in `haystack`; 0 for an empty needle.
    public static func firstOffset(of needle: UnsafeBufferPointer<UInt8>, in haystack: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let first = needle.first else { return 0 }
        guard haystack.count >= needle.count else { return nil }
        var i = 0
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == first {
                var j = 1
                while j < needle.count && haystack[i + j] == needle[j] { j += 1 }
                if j == needle.count { return i }
            }
            i += 1
        }
        return nil
    }
}
