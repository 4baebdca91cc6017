import KubeModel

extension ManifestSource {
    /// Every object of the inputs (a `List`'s items one by one), for commands that consult cluster
    /// state (`guardctl evidence --context`).
    /// - Throws: ``GuardCheckError`` `unreadableInput` listing every unreadable file and document.
    public static func objects(_ inputs: [String]) throws(GuardCheckError) -> [KubeObject] {
        var problems: [String] = []
        var objects: [KubeObject] = []
        try forEachDocument(inputs, standardInput: { readStandardInput() }, problems: &problems) { place, items in
            var found: [String] = []
            for item in items {
                guard case .object = item else { found.append("\(place): a manifest must be a mapping, found \(item.typeDescription)"); continue }
                objects.append(KubeObject(item))
            }
            return found
        }
        guard problems.isEmpty else { throw GuardCheckError.unreadableInput(problems.joined(separator: "\n")) }
        return objects
    }
}
