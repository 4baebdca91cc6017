import KubeModel

/// What a refresh of a non-production environment from production replaces before any web pod
/// starts (`spec.dataMasking` of the GuardPolicy): table columns, each with the kind of fake that
/// replaces its values. Fakes are deterministic within one refresh (the same original gives the same
/// fake in every column that holds it, so joins on values still work) and keyed by a secret drawn for
/// that refresh (so a fake cannot be matched back to a known value by hashing candidates).
public struct DataMaskingPolicy: Sendable, Equatable {
    /// The kind of fake that replaces a column's values.
    public enum Kind: String, Sendable, CaseIterable {
        /// `Person 3F9A1C` — a person's or company's name.
        case name
        /// `user-3f9a1c0d2b7e@example.invalid`.
        case email
        /// `+1 555 3091102` — digits only after the prefix.
        case phone
        /// `3091 Masked Street`.
        case street
        /// `ID-3F9A1C0D2B` — VAT numbers, registry numbers, patient numbers.
        case identifier
        /// `masked 3f9a1c0d` — free text (notes, comments).
        case text
        /// `NULL` — coordinates, dates of birth: the value is removed (the column must allow it).
        case null
    }

    /// One column and its fake.
    public struct Column: Sendable, Equatable, Hashable {
        /// The table (`res_partner`).
        public var table: String
        /// The column (`email`).
        public var column: String
        /// The fake.
        public var kind: Kind

        /// A column.
        public init(_ table: String, _ column: String, _ kind: Kind) {
            self.table = table
            self.column = column
            self.kind = kind
        }
    }

    /// Whether a refresh masks at all (off only with a time-boxed exception, which the webhook checks).
    public var enabled: Bool
    /// The columns, defaults first unless the policy replaced them.
    public var columns: [Column]

    /// Odoo's contact data in `res_partner`: the name, email, phone, mobile, street and VAT number the
    /// issue names, and every column Odoo copies them into (`complete_name`,
    /// `commercial_company_name`, `company_name`, `email_normalized` of the mail module,
    /// `phone_sanitized` of phone_validation, `street2`), the company registry, the free-text comment
    /// and the coordinates. A column a database does not have (its module is not installed) is skipped.
    public static let defaultColumns: [Column] = [
        Column("res_partner", "name", .name), Column("res_partner", "complete_name", .name),
        Column("res_partner", "commercial_company_name", .name), Column("res_partner", "company_name", .name),
        Column("res_partner", "email", .email), Column("res_partner", "email_normalized", .email),
        Column("res_partner", "phone", .phone), Column("res_partner", "mobile", .phone), Column("res_partner", "phone_sanitized", .phone),
        Column("res_partner", "street", .street), Column("res_partner", "street2", .street),
        Column("res_partner", "vat", .identifier), Column("res_partner", "company_registry", .identifier),
        Column("res_partner", "comment", .text),
        Column("res_partner", "partner_latitude", .null), Column("res_partner", "partner_longitude", .null),
    ]

    /// Masking on, with the defaults.
    public init(enabled: Bool = true, columns: [Column] = DataMaskingPolicy.defaultColumns) {
        self.enabled = enabled
        self.columns = columns
    }

    /// Whether `name` is a plain PostgreSQL identifier the masking script may name (lower case,
    /// letters, digits and underscores, at most 63 bytes): nothing else reaches its SQL.
    public static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= 63, first == UInt8(ascii: "_") || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first) else {
            return false
        }
        return name.utf8.allSatisfy { $0 == UInt8(ascii: "_") || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }
}

extension GuardPolicy {
    /// Decodes `spec.dataMasking`: `enabled`, `columns` (each `{table, column, kind}`) added to the
    /// defaults, or replacing them with `replaceDefaults: true`. Reports every invalid field.
    static func decodeDataMasking(_ fields: JSONObject, path: FieldPath, reader: inout FieldReader) -> DataMaskingPolicy {
        var result = DataMaskingPolicy()
        reader.unknownKeys(fields, allowed: ["enabled", "columns", "replaceDefaults"], path)
        if let enabled = reader.bool(fields["enabled"], path / "enabled") { result.enabled = enabled }
        let replace = reader.bool(fields["replaceDefaults"], path / "replaceDefaults") ?? false
        var columns: [DataMaskingPolicy.Column] = replace ? [] : DataMaskingPolicy.defaultColumns
        if let raw = fields["columns"], !raw.isNull {
            guard case .array(let items) = raw else {
                reader.errors.append(.invalid(path / "columns", "must be a list of {table, column, kind}"))
                return result
            }
            for (index, item) in items.prefix(1_000).enumerated() {
                let itemPath = path / "columns" / index
                guard let entry = reader.object(item, itemPath) else { continue }
                reader.unknownKeys(entry, allowed: ["table", "column", "kind"], itemPath)
                var names: [String] = []
                for key in ["table", "column"] {
                    guard let name = reader.string(entry[key], itemPath / key, required: true) else { continue }
                    if DataMaskingPolicy.isIdentifier(name) { names.append(name) } else {
                        reader.errors.append(.invalid(itemPath / key, "\"\(String(name.prefix(80)))\" must be a PostgreSQL \(key) name: lower-case letters, digits and underscores, at most 63"))
                    }
                }
                let kind = reader.string(entry["kind"], itemPath / "kind", required: true)
                let parsed = kind.flatMap(DataMaskingPolicy.Kind.init(rawValue:))
                if kind != nil, parsed == nil {
                    reader.errors.append(.invalid(itemPath / "kind", "must be one of \(DataMaskingPolicy.Kind.allCases.map(\.rawValue).joined(separator: ", "))"))
                }
                guard names.count == 2, let parsed else { continue }
                // A configured column replaces a default of the same table and column.
                columns.removeAll { $0.table == names[0] && $0.column == names[1] }
                columns.append(.init(names[0], names[1], parsed))
            }
            if items.count > 1_000 { reader.errors.append(.invalid(path / "columns", "must list at most 1000 columns")) }
        }
        if result.enabled && columns.isEmpty {
            reader.errors.append(.invalid(path / "columns", "masking is on but names no column: list columns, or keep the defaults"))
        }
        result.columns = columns
        return result
    }
}
