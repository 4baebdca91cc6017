import Foundation
import GuardRules
import KubeModel
import OdooPlan
import Testing
import TestSupport

/// The masking SQL a staging refresh runs, against a real PostgreSQL 15 holding Odoo 17's
/// `res_partner` shape (its columns as an initialised Odoo 17 database has them, with those of the
/// mail and phone_validation modules) and tables that point at it.
@Suite("Data masking SQL", .serialized)
struct MaskingScriptTests {
    /// Odoo 17's `res_partner` (base, mail, phone_validation), two tables referring to it, and a
    /// clinic's own columns: a patient number and a translated (`jsonb`) diagnosis.
    static let schema = """
        CREATE TABLE res_partner (
          id serial PRIMARY KEY, company_id integer, create_date timestamp, name varchar, title integer,
          parent_id integer REFERENCES res_partner(id) ON DELETE SET NULL, user_id integer, state_id integer, country_id integer,
          industry_id integer, color integer, commercial_partner_id integer REFERENCES res_partner(id) ON DELETE SET NULL,
          create_uid integer, write_uid integer, complete_name varchar, ref varchar, lang varchar, tz varchar, vat varchar,
          company_registry varchar, website varchar, function varchar, type varchar, street varchar, street2 varchar, zip varchar,
          city varchar, email varchar, phone varchar, mobile varchar, commercial_company_name varchar, company_name varchar,
          date date, comment text, partner_latitude numeric, partner_longitude numeric, active boolean, employee boolean,
          is_company boolean, partner_share boolean, write_date timestamp, email_normalized varchar, phone_sanitized varchar,
          x_patient_number varchar(12), x_diagnosis jsonb, x_birthdate date NOT NULL DEFAULT '1970-01-01',
          CONSTRAINT res_partner_check_name CHECK (((type)::text = 'contact'::text AND name IS NOT NULL) OR (type)::text <> 'contact'::text)
        );
        CREATE TABLE res_users (id serial PRIMARY KEY, login varchar NOT NULL, partner_id integer NOT NULL REFERENCES res_partner(id));
        CREATE TABLE account_move (id serial PRIMARY KEY, partner_id integer REFERENCES res_partner(id), amount numeric);
        INSERT INTO res_partner (id, name, complete_name, is_company, type, vat, company_registry, street, city, email, email_normalized, phone, phone_sanitized, commercial_company_name, partner_latitude, partner_longitude, comment)
          VALUES (1, 'Klinik Bern AG', 'Klinik Bern AG', true, 'contact', 'CHE-123.456.789', 'CH-035.3.047.455-6', 'Spitalgasse 12', 'Bern',
                  'info@klinik-bern.ch', 'info@klinik-bern.ch', '+41 31 555 01 01', '+41315550101', 'Klinik Bern AG', 46.9480, 7.4474, 'main site');
        INSERT INTO res_partner (id, name, complete_name, parent_id, commercial_partner_id, type, street, street2, city, email, email_normalized, mobile, phone_sanitized, commercial_company_name, x_patient_number, x_diagnosis, comment)
          VALUES (2, 'Anna Muster', 'Klinik Bern AG, Anna Muster', 1, 1, 'contact', 'Spitalgasse 12', 'Station Ost', 'Bern', 'anna.muster@example.ch',
                  'anna.muster@example.ch', '+41 79 555 12 34', '+41795551234', 'Klinik Bern AG', 'P-0042-7731',
                  '{"en_US": "Type 2 diabetes mellitus", "de_DE": "Diabetes mellitus Typ 2"}', 'allergic to penicillin');
        INSERT INTO res_partner (id, name, complete_name, type, email, email_normalized, phone, x_patient_number, x_diagnosis)
          VALUES (3, 'Beat Beispiel', 'Beat Beispiel', 'contact', 'anna.muster@example.ch', 'anna.muster@example.ch', '+41 31 555 77 88', 'P-0043-1208',
                  '{"en_US": "Asthma"}');
        SELECT setval('res_partner_id_seq', 3);
        INSERT INTO res_users (login, partner_id) VALUES ('admin', 2), ('beat', 3);
        INSERT INTO account_move (partner_id, amount) VALUES (1, 120.50), (2, 80), (3, 15);
        """

    /// The values that must not survive.
    static let originals = ["Klinik Bern AG", "CHE-123.456.789", "CH-035.3.047.455-6", "Spitalgasse 12", "info@klinik-bern.ch", "+41 31 555 01 01",
                            "+41315550101", "Anna Muster", "Station Ost", "anna.muster@example.ch", "+41 79 555 12 34", "+41795551234",
                            "P-0042-7731", "diabetes", "Diabetes", "penicillin", "Beat Beispiel", "+41 31 555 77 88", "P-0043-1208", "Asthma",
                            "46.9480", "7.4474", "main site"]

    /// The defaults and a clinic's own columns.
    static let policy = DataMaskingPolicy(columns: DataMaskingPolicy.defaultColumns + [
        .init("res_partner", "x_patient_number", .identifier), .init("res_partner", "x_diagnosis", .text),
        .init("res_partner", "x_not_installed", .name), .init("hr_employee", "private_email", .email),
    ])

    static func run(_ server: PostgresServer, _ sql: String) throws -> (status: Int32, output: String) {
        let file = server.directory.appendingPathComponent("mask-\(UUID().uuidString.prefix(6)).sql")
        try Data(sql.utf8).write(to: file)
        let result = try Subprocess.run("/usr/bin/psql", ["-X", "-q", "-h", "127.0.0.1", "-p", "\(server.port)", "-U", "postgres", "-d", "odoo",
                                                          "-v", "ON_ERROR_STOP=1", "-f", file.path])
        return (result.status, result.output)
    }

    /// One value of a query, trimmed.
    static func value(_ server: PostgresServer, _ sql: String, database: String = "odoo") throws -> String {
        try server.psql(sql, database: database).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func withDatabase(_ body: (PostgresServer) throws -> Void) throws {
        let server = try PostgresServer()
        defer { server.stop() }
        try server.psql("CREATE DATABASE odoo")
        try server.psql(schema, database: "odoo")
        try body(server)
    }

    @Test func noOriginalValueSurvivesAndEveryKeyStillHolds() throws {
        try Self.withDatabase { server in
            let script = try #require(MaskingScript.sql(Self.policy))
            let result = try Self.run(server, script)
            #expect(result.status == 0, "\(result.output)")
            #expect(result.output.contains("res_partner.x_not_installed does not exist here, skipped"), "\(result.output)")
            #expect(!result.output.contains("set_config") && result.output.range(of: "[0-9a-f]{8}-[0-9a-f]{4}-", options: .regularExpression) == nil,
                    "the run's key never reaches the log: \(result.output)")
            // Every column of every row, as text: no original value anywhere.
            for original in Self.originals {
                let found = try Self.value(server, "SELECT count(*) FROM res_partner p WHERE position(lower($q$\(original)$q$) IN lower(p::text)) > 0", database: "odoo")
                #expect(found == "0", "\(original) survived in \(found) row(s)")
            }
            // Keys untouched: the same joins, and the foreign keys validate again over every row.
            #expect(try Self.value(server, "SELECT string_agg(u.login || '=' || p.id, ',' ORDER BY u.id) FROM res_users u JOIN res_partner p ON p.id = u.partner_id", database: "odoo") == "admin=2,beat=3")
            #expect(try Self.value(server, "SELECT count(*) FROM account_move m JOIN res_partner p ON p.id = m.partner_id", database: "odoo") == "3")
            #expect(try Self.value(server, "SELECT parent_id || ',' || commercial_partner_id FROM res_partner WHERE id = 2", database: "odoo") == "1,1")
            try server.psql("""
                ALTER TABLE res_users DROP CONSTRAINT res_users_partner_id_fkey, ADD CONSTRAINT res_users_partner_id_fkey FOREIGN KEY (partner_id) REFERENCES res_partner(id);
                ALTER TABLE res_partner DROP CONSTRAINT res_partner_parent_id_fkey, ADD CONSTRAINT res_partner_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES res_partner(id);
                ALTER TABLE res_partner DROP CONSTRAINT res_partner_check_name, ADD CONSTRAINT res_partner_check_name CHECK ((type = 'contact' AND name IS NOT NULL) OR type <> 'contact');
                """, database: "odoo")
            // Deterministic within the run: one original, one fake, in every column and row that held it.
            let emails = try Self.value(server, "SELECT string_agg(DISTINCT email || '|' || email_normalized, ';') FROM res_partner WHERE id IN (2, 3)", database: "odoo")
            let parts = emails.split(separator: "|")
            #expect(parts.count == 2 && parts[0] == parts[1] && parts[0].hasSuffix("@example.invalid"), "\(emails)")
            let companies = try Self.value(server, "SELECT count(DISTINCT commercial_company_name) || ':' || bool_and(commercial_company_name = (SELECT name FROM res_partner WHERE id = 1)) FROM res_partner WHERE id IN (1, 2)", database: "odoo")
            #expect(companies == "1:true", "the company's name is the same fake wherever it was copied: \(companies)")
            // Shapes: lengths kept, coordinates removed, every language of a translated value replaced.
            #expect(try Self.value(server, "SELECT length(x_patient_number) <= 12 FROM res_partner WHERE id = 2", database: "odoo") == "t")
            #expect(try Self.value(server, "SELECT count(*) FROM res_partner WHERE partner_latitude IS NOT NULL OR partner_longitude IS NOT NULL", database: "odoo") == "0")
            #expect(try Self.value(server, "SELECT string_agg(k, ',' ORDER BY k) FROM res_partner, jsonb_each_text(x_diagnosis) AS e(k, v) WHERE id = 2 AND v LIKE 'masked %'", database: "odoo") == "de_DE,en_US")
            #expect(try Self.value(server, "SELECT count(*) FROM res_partner WHERE type = 'contact' AND name IS NULL", database: "odoo") == "0")
        }
    }

    @Test func eachRunDrawsItsOwnKeySoFakesCannotBeMatchedBack() throws {
        try Self.withDatabase { server in
            try server.psql("CREATE TABLE copy_of_names AS SELECT id, name FROM res_partner", database: "odoo")
            let script = try #require(MaskingScript.sql(DataMaskingPolicy(columns: [.init("res_partner", "name", .name), .init("copy_of_names", "name", .name)])))
            #expect(try Self.run(server, script).status == 0)
            let first = try Self.value(server, "SELECT name FROM res_partner WHERE id = 2", database: "odoo")
            #expect(try Self.value(server, "SELECT name FROM copy_of_names WHERE id = 2", database: "odoo") == first, "the same original, the same fake, across tables")
            // A second refresh from the same production data gives other fakes.
            try server.psql("UPDATE res_partner SET name = 'Anna Muster' WHERE id = 2", database: "odoo")
            #expect(try Self.run(server, script).status == 0)
            let second = try Self.value(server, "SELECT name FROM res_partner WHERE id = 2", database: "odoo")
            #expect(first.hasPrefix("Person ") && second.hasPrefix("Person ") && first != second, "\(first) / \(second)")
        }
    }

    @Test func aColumnThatCannotBeMaskedFailsTheWholeRunAndChangesNothing() throws {
        try Self.withDatabase { server in
            // A NOT NULL date cannot be emptied; a date cannot take a name. Either stops the run, naming the column.
            for (column, kind, words) in [("x_birthdate", DataMaskingPolicy.Kind.null, "x_birthdate"), ("x_birthdate", .name, "of type date")] {
                let script = try #require(MaskingScript.sql(DataMaskingPolicy(columns: DataMaskingPolicy.defaultColumns + [.init("res_partner", column, kind)])))
                let result = try Self.run(server, script)
                #expect(result.status != 0 && result.output.contains(words), "\(result.output)")
                #expect(try Self.value(server, "SELECT name FROM res_partner WHERE id = 2", database: "odoo") == "Anna Muster", "one transaction: nothing was masked")
            }
        }
    }

    @Test func maskingOffWritesNoScript() {
        #expect(MaskingScript.sql(DataMaskingPolicy(enabled: false)) == nil)
    }
}
