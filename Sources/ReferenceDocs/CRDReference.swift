import KubeModel

/// `docs/reference/crds.md`: every CustomResourceDefinition of `crds/`, field by field (type, default,
/// validation, description), read from the CRDs themselves.
public enum CRDReference {
    /// The page for CRDs given as (file name, parsed object), in file-name order.
    public static func page(_ crds: [(file: String, object: JSONValue)]) -> String {
        var text = GeneratedPage.header(title: "Custom resources", source: "crds/*.yaml")
        text += "The chart installs and upgrades these (`crds.enabled`); `kubectl explain <kind>.spec` shows the same descriptions on a cluster.\n\n"
        for (file, crd) in crds.sorted(by: { $0.file < $1.file }) {
            text += section(file: file, crd)
        }
        return text
    }

    static func section(file: String, _ crd: JSONValue) -> String {
        let spec = crd["spec"]
        let names = spec?["names"]
        let kind = names?["kind"]?.stringValue ?? "?"
        var text = "## \(kind)\n\n"
        let short = names?["shortNames"]?.arrayValue?.compactMap(\.stringValue) ?? []
        text += "`\(spec?["group"]?.stringValue ?? "")`, \(spec?["scope"]?.stringValue ?? "") scope, plural `\(names?["plural"]?.stringValue ?? "")`"
        text += short.isEmpty ? "" : ", short name\(short.count > 1 ? "s" : "") \(short.map { "`\($0)`" }.joined(separator: ", "))"
        text += "; file `crds/\(file)`.\n\n"
        for version in spec?["versions"]?.arrayValue ?? [] {
            let name = version["name"]?.stringValue ?? "?"
            let flags = [version["served"] == true ? "served" : nil, version["storage"] == true ? "storage" : nil,
                         version["subresources"]?["status"] != nil ? "status subresource" : nil].compactMap { $0 }
            text += "### \(name) (\(flags.joined(separator: ", ")))\n\n"
            let columns = version["additionalPrinterColumns"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
            if !columns.isEmpty { text += "`kubectl get` columns: \(columns.joined(separator: ", ")).\n\n" }
            text += "| field | type | default | validation | description |\n| --- | --- | --- | --- | --- |\n"
            if let schema = version["schema"]?["openAPIV3Schema"] {
                for path in ["spec", "status"] {
                    if let node = schema["properties"]?[path] { text += rows(node, path: path, required: false) }
                }
            }
            text += "\n"
        }
        return text
    }

    /// The rows of `node` at `path` and of everything under it, depth first, in schema order.
    static func rows(_ node: JSONValue, path: String, required: Bool) -> String {
        var text = "| `\(path)`\(required ? " (required)" : "") | \(type(node)) | \(node["default"].map(inline) ?? "") | \(validation(node)) | \(RulesReference.cell(node["description"]?.stringValue ?? "")) |\n"
        let requiredNames = Set(node["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        for (name, child) in node["properties"]?.objectValue ?? [:] {
            text += rows(child, path: "\(path).\(name)", required: requiredNames.contains(name))
        }
        if let items = node["items"], items["properties"] != nil || items["items"] != nil {
            text += rows(items, path: "\(path)[]", required: false)
        }
        if let values = node["additionalProperties"], values["properties"] != nil {
            text += rows(values, path: "\(path).<name>", required: false)
        }
        return text
    }

    static func type(_ node: JSONValue) -> String {
        let base = node["type"]?.stringValue ?? (node["x-kubernetes-int-or-string"] == true ? "integer or string" : "any")
        if base == "array" { return "array of \(node["items"].map(type) ?? "any")" }
        if base == "object", let values = node["additionalProperties"], node["properties"] == nil { return "map of \(type(values))" }
        return node["format"]?.stringValue.map { "\(base) (\($0))" } ?? base
    }

    static func validation(_ node: JSONValue) -> String {
        var parts: [String] = []
        if let values = node["enum"]?.arrayValue { parts.append("one of " + values.map(inline).joined(separator: ", ")) }
        for (key, word) in [("minimum", "≥"), ("maximum", "≤")] { if let value = node[key] { parts.append("\(word) \(inline(value))") } }
        for (key, word) in [("minLength", "at least"), ("maxLength", "at most")] { if let value = node[key] { parts.append("\(word) \(inline(value)) characters") } }
        for (key, word) in [("minItems", "at least"), ("maxItems", "at most")] { if let value = node[key] { parts.append("\(word) \(inline(value)) items") } }
        if let pattern = node["pattern"]?.stringValue { parts.append("pattern `\(pattern)`") }
        for rule in node["x-kubernetes-validations"]?.arrayValue ?? [] {
            let message = rule["message"]?.stringValue.map { " (\($0))" } ?? ""
            parts.append("CEL `\(rule["rule"]?.stringValue ?? "")`\(message)")
        }
        return RulesReference.cell(parts.joined(separator: "; "))
    }

    /// A JSON value as inline code.
    static func inline(_ value: JSONValue) -> String { "`" + value.serialized() + "`" }
}
