import KubeModel

/// A ``Shape`` flattened into one table of plain nodes, walked through pointers into the table and
/// into the document: a step neither copies a shape (an `indirect` payload, a member table) nor a
/// value out of its object or list; what is left is the copy that binding each object or list makes
/// (a retain of its storage), once per container rather than per member. The walk is the
/// shape's meaning, unchanged: the same problems at the same paths, in the document's order, and the
/// same facts gathered.
final class CompiledShape: Sendable {
    /// One node: what a value must be, and where its children are in the tables.
    struct Node {
        enum Kind: UInt8 {
            case any, string, bool, integer, intOrPercent, members, map, list, quantities, capture
        }
        var kind: Kind
        /// The slot of a ``Kind/capture`` node.
        var slot: ShapeSlot = .podSpec
        /// The map of a ``Kind/quantities`` node.
        var quantities: Shape.QuantityMap = .requests
        /// The entries a ``Kind/list`` accepts.
        var limit = 0
        /// The element of a list or map, the inner node of a capture.
        var child = 0
        /// The members of a ``Kind/members`` node: a range of ``memberKeys``.
        var firstMember = 0
        var memberCount = 0
    }

    private let nodes: [Node]
    /// The members' keys, their UTF-8 lengths (compared first) and their nodes, one range per object node.
    private let memberKeys: [String]
    private let memberLengths: [Int]
    private let memberNodes: [Int]

    init(_ shape: Shape) {
        var builder = Builder()
        _ = builder.add(shape)
        nodes = builder.nodes
        memberKeys = builder.keys
        memberLengths = builder.keys.map(\.utf8.count)
        memberNodes = builder.members
    }

    private struct Builder {
        var nodes: [Node] = []
        var keys: [String] = []
        var members: [Int] = []

        /// Adds `shape` and everything under it; its node's index.
        mutating func add(_ shape: Shape) -> Int {
            let index = nodes.count
            nodes.append(Node(kind: .any))
            var node: Node
            switch shape {
            case .any: node = Node(kind: .any)
            case .string: node = Node(kind: .string)
            case .bool: node = Node(kind: .bool)
            case .integer: node = Node(kind: .integer)
            case .intOrPercent: node = Node(kind: .intOrPercent)
            case .quantities(let map): node = Node(kind: .quantities, quantities: map)
            case .map(let element): node = Node(kind: .map, child: add(element))
            case .list(let element, let limit): node = Node(kind: .list, limit: limit, child: add(element))
            case .capture(let slot, let inner): node = Node(kind: .capture, slot: slot, child: add(inner))
            case .members(let table):
                // Children first, so the node's member range is contiguous.
                let children = table.shapes.map { add($0) }
                node = Node(kind: .members, firstMember: keys.count, memberCount: children.count)
                keys += table.keys
                members += children
            }
            nodes[index] = node
            return index
        }
    }

    /// Walks `value`, found at `path`, with a walk state shared by several parts of one object:
    /// records every place where it does not fit, stopping at the first problem of each branch.
    /// Linear in the size of the value; lists beyond their limit are not descended into.
    func walk(_ value: JSONValue, from path: FieldPath, _ state: inout ShapeWalk) {
        state.restart(at: path)
        nodes.withUnsafeBufferPointer { nodes in
            memberKeys.withUnsafeBufferPointer { keys in
                memberLengths.withUnsafeBufferPointer { lengths in
                    memberNodes.withUnsafeBufferPointer { members in
                        let walker = Walker(nodes: nodes, keys: keys, lengths: lengths, members: members)
                        withUnsafePointer(to: value) { walker.walk($0, 0, &state) }
                    }
                }
            }
        }
    }
}

/// The tables of one ``CompiledShape``, borrowed for one walk.
private struct Walker {
    let nodes: UnsafeBufferPointer<CompiledShape.Node>
    let keys: UnsafeBufferPointer<String>
    let lengths: UnsafeBufferPointer<Int>
    let members: UnsafeBufferPointer<Int>

    /// The walk: `state.trail` is the current location, extended and restored around each step, and
    /// turned into a ``FieldPath`` only for a problem, so a well-formed object costs no path allocations.
    func walk(_ value: UnsafePointer<JSONValue>, _ index: Int, _ state: inout ShapeWalk) {
        let node = nodes[index]
        if node.kind == .capture {
            // Before the null check: a member set to null is a fact too (`runAsNonRoot: null`).
            state.enter(node.slot, value.pointee)
            walk(value, node.child, &state)
            state.leave(node.slot)
            return
        }
        switch value.pointee {
        case .null:
            return
        case .object(let object):
            switch node.kind {
            case .members:
                walkMembers(object, node, &state)
            case .map:
                forEachMember(object) { key, member in
                    state.trail.append(.key(key))
                    walk(member, node.child, &state)
                    state.trail.removeLast()
                }
            case .quantities:
                quantities(object, node.quantities, &state)
            default:
                scalar(value, node, &state)
            }
        case .array(let items):
            guard node.kind == .list else { return scalar(value, node, &state) }
            guard items.count <= node.limit else {
                return report("has \(items.count) entries; at most \(node.limit) are accepted", &state, overBudget: true)
            }
            items.withUnsafeBufferPointer { items in
                guard let base = items.baseAddress else { return }
                for position in items.indices {
                    state.trail.append(.index(position))
                    walk(base + position, node.child, &state)
                    state.trail.removeLast()
                }
            }
        default:
            scalar(value, node, &state)
        }
    }

    /// The named members of an object, in the document's order, so the same object always gives the
    /// same findings in the same order.
    private func walkMembers(_ object: JSONObject, _ node: CompiledShape.Node, _ state: inout ShapeWalk) {
        let range = node.firstMember..<(node.firstMember + node.memberCount)
        forEachMember(object) { key, member in
            let length = key.utf8.count
            guard let found = range.first(where: { lengths[$0] == length && keys[$0] == key }) else { return }
            state.trail.append(.key(key))
            walk(member, members[found], &state)
            state.trail.removeLast()
        }
    }

    /// A `requests` or `limits` map: every member a quantity.
    private func quantities(_ object: JSONObject, _ map: Shape.QuantityMap, _ state: inout ShapeWalk) {
        forEachMember(object) { key, member in
            guard !member.pointee.isNull else { return }
            do throws(KubeModelError) {
                state.quantity(try Quantity(json: member.pointee), named: key, in: map)
            } catch {
                state.trail.append(.key(key))
                report(error.message, &state)
                state.trail.removeLast()
            }
        }
    }

    /// Every member of an object through its storage: keys borrowed, values by pointer.
    private func forEachMember(_ object: JSONObject, _ body: (String, UnsafePointer<JSONValue>) -> Void) {
        object.keys.elements.withUnsafeBufferPointer { keys in
            object.values.elements.withUnsafeBufferPointer { values in
                guard let base = values.baseAddress else { return }
                for position in keys.indices { body(keys[position], base + position) }
            }
        }
    }

    /// A value that is not null, judged by a node that is not a container of its kind.
    private func scalar(_ value: UnsafePointer<JSONValue>, _ node: CompiledShape.Node, _ state: inout ShapeWalk) {
        let json = value.pointee
        switch node.kind {
        case .any, .capture:
            return
        case .string:
            guard case .string = json else { return report("must be a string, found \(Shape.shown(json))", &state) }
        case .bool:
            guard case .bool = json else { return report("must be true or false, found \(Shape.shown(json))", &state) }
        case .integer:
            guard json.intValue != nil else { return report("must be an integer, found \(Shape.shown(json))", &state) }
        case .intOrPercent:
            guard IntOrPercent(json: json) != nil else {
                return report("must be an integer or a percentage such as \"25%\", found \(Shape.shown(json))", &state)
            }
        case .members, .map, .quantities:
            report("must be an object, found \(Shape.shown(json))", &state)
        case .list:
            report("must be a list, found \(Shape.shown(json))", &state)
        }
    }

    private func report(_ message: String, _ state: inout ShapeWalk, overBudget: Bool = false) {
        state.problems.append(Shape.Problem(path: FieldPath(state.trail), message: message, overBudget: overBudget))
    }
}
