extension JSONPatch {
    /// The patch that turns `original` into `changed`, as small as the structure allows: unchanged
    /// members produce nothing, changed members are patched in place, array tails use `-` appends.
    /// Applying the result to `original` with any RFC 6902 implementation yields `changed`.
    ///
    /// Subtrees that a mutation left untouched share storage with the original and are skipped in
    /// O(1), so the cost follows the size of the change rather than of the document.
    public static func diff(from original: JSONValue, to changed: JSONValue) -> JSONPatch {
        var operations: [Operation] = []
        var path: [String] = []
        diff(original, changed, path: &path, into: &operations)
        return JSONPatch(operations)
    }

    private static func pointer(_ path: [String], _ last: String) -> JSONPointer {
        var tokens = path
        tokens.append(last)
        return JSONPointer(tokens: tokens)
    }

    /// Cheap sameness: identity for containers, value equality for scalars.
    @inline(__always)
    private static func obviouslySame(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case let (.array(x), .array(y)): return JSONValue.sharesStorage(x, y)
        case let (.object(x), .object(y)):
            return x.count == y.count && JSONValue.sharesStorage(x.values.elements, y.values.elements)
                && JSONValue.sharesStorage(x.keys.elements, y.keys.elements)
        case (.array, _), (.object, _), (_, .array), (_, .object): return false
        default: return a == b
        }
    }

    private static func diff(_ a: JSONValue, _ b: JSONValue, path: inout [String], into operations: inout [Operation]) {
        if obviouslySame(a, b) { return }
        switch (a, b) {
        case let (.object(left), .object(right)):
            for key in left.keys where right[key] == nil {
                operations.append(.remove(pointer(path, key)))
            }
            for (key, value) in right {
                guard let old = left[key] else {
                    operations.append(.add(pointer(path, key), value))
                    continue
                }
                if obviouslySame(old, value) { continue }
                path.append(key)
                diff(old, value, path: &path, into: &operations)
                path.removeLast()
            }
        case let (.array(left), .array(right)):
            diffArrays(left, right, path: &path, into: &operations)
        default:
            if a != b { operations.append(.replace(JSONPointer(tokens: path), b)) }
        }
    }

    private static func diffArrays(_ left: [JSONValue], _ right: [JSONValue], path: inout [String],
                                   into operations: inout [Operation]) {
        if left.count == right.count {
            // Same length (a mutation changed elements in place): patch each element, no deep
            // comparisons up front — untouched elements are skipped by identity.
            for index in left.indices where !obviouslySame(left[index], right[index]) {
                path.append(String(index))
                diff(left[index], right[index], path: &path, into: &operations)
                path.removeLast()
            }
            return
        }
        var prefix = 0
        while prefix < left.count, prefix < right.count,
              obviouslySame(left[prefix], right[prefix]) || left[prefix] == right[prefix] { prefix += 1 }
        if prefix == left.count && prefix == right.count { return }
        var suffix = 0
        while suffix < left.count - prefix, suffix < right.count - prefix,
              obviouslySame(left[left.count - 1 - suffix], right[right.count - 1 - suffix])
                || left[left.count - 1 - suffix] == right[right.count - 1 - suffix] { suffix += 1 }
        let oldMiddle = left.count - prefix - suffix
        let newMiddle = right.count - prefix - suffix
        // Elements present in both middles are patched in place; the rest are removed or inserted.
        let shared = min(oldMiddle, newMiddle)
        for offset in 0..<shared {
            path.append(String(prefix + offset))
            diff(left[prefix + offset], right[prefix + offset], path: &path, into: &operations)
            path.removeLast()
        }
        if oldMiddle > shared {
            // Remove from the highest index down so earlier indices stay valid.
            for index in stride(from: prefix + oldMiddle - 1, through: prefix + shared, by: -1) {
                operations.append(.remove(pointer(path, String(index))))
            }
        } else if newMiddle > shared {
            let atEnd = suffix == 0
            for offset in shared..<newMiddle {
                let index = prefix + offset
                operations.append(.add(pointer(path, atEnd ? "-" : String(index)), right[index]))
            }
        }
    }
}
