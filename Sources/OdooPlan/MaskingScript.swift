import GuardRules

/// The SQL a refresh runs against the restored copy of a production database before any web pod of
/// the non-production environment starts: every column the GuardPolicy's `spec.dataMasking` names is
/// replaced by deterministic fakes, in one transaction (all or nothing), with `psql -v ON_ERROR_STOP=1`.
///
/// - Fakes are `md5(key:value)` shaped by kind (``GuardRules/DataMaskingPolicy/Kind``): the same original
///   gives the same fake in every column and row of one run, so joins on values still work; the key is
///   drawn by the server for the run (`gen_random_uuid()`, PostgreSQL 13 or later) and never stored, so
///   a fake cannot be matched back by hashing candidate names.
/// - Keys (`id`, foreign keys) are never touched: every foreign key still holds.
/// - Character columns keep their declared length; translated (`jsonb`) columns have each language's
///   value replaced; a column the database lacks (its module is not installed) is skipped with a
///   notice; a column of another type may only be emptied (`null`), else the run fails naming it.
/// - Every statement names tables and columns through `format('%I')`, and the policy admits only plain
///   identifiers (``GuardRules/DataMaskingPolicy/isIdentifier(_:)``), so no policy text becomes SQL.
public enum MaskingScript {
    /// The script for `policy` (`nil` when masking is off).
    public static func sql(_ policy: DataMaskingPolicy) -> String? {
        guard policy.enabled else { return nil }
        let calls = policy.columns.filter { DataMaskingPolicy.isIdentifier($0.table) && DataMaskingPolicy.isIdentifier($0.column) }
            .map { "SELECT pg_temp.odoo_guard_mask('\($0.table)', '\($0.column)', '\($0.kind.rawValue)');" }
        return prologue + calls.joined(separator: "\n") + "\n" + epilogue
    }

    static let prologue = """
        -- odoo-guard data masking, generated from the GuardPolicy's spec.dataMasking. One transaction.
        BEGIN;
        -- The run's key: drawn by the server, never printed, gone at COMMIT.
        DO $key$ BEGIN PERFORM set_config('odoo_guard.mask_key', gen_random_uuid()::text, true); END $key$;

        CREATE FUNCTION pg_temp.odoo_guard_fake(kind text, value text) RETURNS text LANGUAGE sql STABLE AS $fake$
          SELECT CASE WHEN value IS NULL THEN NULL ELSE (
            SELECT CASE kind
              WHEN 'name' THEN 'Person ' || upper(substr(h, 1, 8))
              WHEN 'email' THEN 'user-' || substr(h, 1, 12) || '@example.invalid'
              WHEN 'phone' THEN '+1 555 ' || translate(substr(h, 1, 7), 'abcdef', '012345')
              WHEN 'street' THEN translate(substr(h, 1, 4), 'abcdef', '123456') || ' Masked Street'
              WHEN 'identifier' THEN 'ID-' || upper(substr(h, 1, 10))
              ELSE 'masked ' || substr(h, 1, 8)
            END
            FROM (SELECT md5(current_setting('odoo_guard.mask_key') || ':' || value) AS h) AS hashed) END
        $fake$;

        CREATE FUNCTION pg_temp.odoo_guard_mask(tab text, col text, kind text) RETURNS bigint LANGUAGE plpgsql AS $mask$
        DECLARE
          kind_of text;
          width integer;
          rows bigint;
        BEGIN
          SELECT data_type, character_maximum_length INTO kind_of, width FROM information_schema.columns
           WHERE table_schema = current_schema() AND table_name = tab AND column_name = col;
          IF kind_of IS NULL THEN
            RAISE NOTICE 'odoo-guard masking: %.% does not exist here, skipped', tab, col;
            RETURN 0;
          END IF;
          IF kind = 'null' THEN
            EXECUTE format('UPDATE %I SET %I = NULL WHERE %I IS NOT NULL', tab, col, col);
          ELSIF kind_of = 'jsonb' THEN
            EXECUTE format('UPDATE %I SET %I = coalesce((SELECT jsonb_object_agg(k, pg_temp.odoo_guard_fake(%L, v)) FROM jsonb_each_text(%I) AS e(k, v)), ''{}''::jsonb) WHERE jsonb_typeof(%I) = ''object''',
                           tab, col, kind, col, col);
          ELSIF kind_of IN ('character varying', 'text', 'character') THEN
            EXECUTE format('UPDATE %I SET %I = left(pg_temp.odoo_guard_fake(%L, %I::text), %s) WHERE %I IS NOT NULL',
                           tab, col, kind, col, coalesce(width, 1048576), col);
          ELSE
            RAISE EXCEPTION 'odoo-guard masking: %.% is of type %, which a % fake cannot replace; mask it with kind null', tab, col, kind_of, kind;
          END IF;
          GET DIAGNOSTICS rows = ROW_COUNT;
          RAISE NOTICE 'odoo-guard masking: %.% (%): % rows', tab, col, kind, rows;
          RETURN rows;
        END
        $mask$;


        """

    static let epilogue = """
        COMMIT;

        """
}
