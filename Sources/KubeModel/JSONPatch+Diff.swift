extension JSONPatch {
    /// The patch that turns `original` into `changed`, as small as the structure allows: unchanged
    /// members produce nothing, changed members are patched in place, array tails use `-` appends.
    /// Applying the result to `original` with any RFC 6902 implementation yields `changed`.
    public static func diff(from original: JSONValue, to changed: JSONValue) -> JSONPatch {
        var operations: [Operation] = []
        diff(original, changed, at: JSONPointer(tokens: []), into: &operations)
        return JSONPatch(operations)
    }

    private static func diff(_ a: JSONValue, _ b: JSONValue, at pointer: JSONPointer, into operations: inout [Operation]) {
        switch (a, b) {
        case let (.object(left), .object(right)):
            if a == b { return }
            for key in left.keys where right[key] == nil {
                operations.append(.remove(pointer.appending(key)))
            }
            for (key, value) in right {
                if let old = left[key] {
                    diff(old, value, at: pointer.appending(key), into: &operations)
                } else {
                    operations.append(.add(pointer.appending(key), value))
                }
            }
        case let (.array(left), .array(right)):
            diffArrays(left, right, at: pointer, into: &operations)
        default:
            if a != b { operations.append(.replace(pointer, b)) }
        }
    }

    private static func diffArrays(_ left: [JSONValue], _ right: [JSONValue], at pointer: JSONPointer,
                                   into operations: inout [Operation]) {
        if left == right { return }
        var prefix = 0
        while prefix < left.count, prefix < right.count, left[prefix] == right[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < left.count - prefix, suffix < right.count - prefix,
              left[left.count - 1 - suffix] == right[right.count - 1 - suffix] { suffix += 1 }
        let oldMiddle = left.count - prefix - suffix
        let newMiddle = right.count - prefix - suffix
        // Elements present in both middles are patched in place; the rest are removed or inserted.
        let shared = min(oldMiddle, newMiddle)
        for offset in 0..<shared {
            diff(left[prefix + offset], right[prefix + offset], at: pointer.appending(prefix + offset), into: &operations)
        }
        if oldMiddle > shared {
            // Remove from the highest index down so earlier indices stay valid.
            for index in stride(from: prefix + oldMiddle - 1, through: prefix + shared, by: -1) {
                operations.append(.remove(pointer.appending(index)))
            }
        } else if newMiddle > shared {
            let atEnd = suffix == 0
            for offset in shared..<newMiddle {
                let index = prefix + offset
                operations.append(.add(atEnd ? pointer.appending("-") : pointer.appending(index), right[index]))
            }
        }
    }
}
