extension BackupScripts {
    /// Replaces the environment's database and filestore with a fetched backup (PostgreSQL image, run
    /// as Odoo's uid so the filestore stays Odoo's). The dump is decrypted with `PRIVATE_KEY` when it
    /// is encrypted; the database is replaced in **one transaction** (the dump turned into SQL first,
    /// then the schema dropped and the SQL replayed by `psql --single-transaction`), so a failure
    /// leaves the data as it was; the
    /// filestore is unpacked beside the old one and swapped in after. Reads the `PG*` login,
    /// `PGDATABASE`, `WORK`, `FILESTORE` (the target's `filestore/<database>` directory), `PRIVATE_KEY`.
    public static let restoreApply = #"""
        #!/bin/sh
        # Written by odoo-guard: replace the database and filestore with the fetched backup.
        set -eu
        : "${PGDATABASE:?}" "${WORK:?}" "${FILESTORE:?}"
        stamp=$(cat "$WORK/stamp")
        suffix=$(cat "$WORK/suffix" 2>/dev/null || true)
        trap 'rm -f "$WORK/$stamp.dump" "$WORK/$stamp.sql" "$WORK/$stamp.filestore.tar.gz"; rm -rf "$FILESTORE.restoring"' EXIT
        if [ -n "$suffix" ]; then
          if [ -z "${PRIVATE_KEY:-}" ] || [ ! -s "$PRIVATE_KEY" ]; then
            echo "backup $stamp is encrypted and this Job has no private key: create the Secret backup.encryption.privateKeySecret names (key private.asc)" >&2
            exit 1
          fi
          GNUPGHOME=$(mktemp -d "$WORK/.gnupg.XXXXXX"); export GNUPGHOME
          gpg --batch --quiet --no-tty --import "$PRIVATE_KEY"
          for file in "$stamp.dump" "$stamp.filestore.tar.gz"; do
            if [ -f "$WORK/$file$suffix" ]; then
              gpg --batch --quiet --no-tty --output "$WORK/$file" --decrypt "$WORK/$file$suffix"
              rm -f "$WORK/$file$suffix"
            fi
          done
          gpgconf --kill gpg-agent 2>/dev/null || true
          rm -rf "$GNUPGHOME"
        fi
        # The dump as SQL first (a damaged dump stops here, before the database is touched), then one
        # transaction: the old schema goes only if the whole dump replays.
        pg_restore --no-owner --no-privileges --file="$WORK/$stamp.sql" "$WORK/$stamp.dump"
        rm -f "$WORK/$stamp.dump"
        psql -X -q -v ON_ERROR_STOP=1 --single-transaction -d "$PGDATABASE" \
          -c "DROP SCHEMA IF EXISTS public CASCADE" -c "CREATE SCHEMA public" -f "$WORK/$stamp.sql" > /dev/null
        rm -f "$WORK/$stamp.sql"
        tables=$(psql -X -A -t -v ON_ERROR_STOP=1 -d "$PGDATABASE" -c "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
        files=0
        if [ -f "$WORK/$stamp.filestore.tar.gz" ]; then
          rm -rf "$FILESTORE.restoring"; mkdir -p "$FILESTORE.restoring"
          tar -C "$FILESTORE.restoring" -xzf "$WORK/$stamp.filestore.tar.gz"
          files=$(find "$FILESTORE.restoring" -type f | wc -l)
          rm -rf "$FILESTORE.old"
          if [ -d "$FILESTORE" ]; then mv "$FILESTORE" "$FILESTORE.old"; fi
          mv "$FILESTORE.restoring" "$FILESTORE"
          rm -rf "$FILESTORE.old"
        fi
        echo "restored $stamp into $PGDATABASE: $tables tables, $files filestore files"
        printf '{"backup":"%s","tables":%s,"files":%s}\n' "$stamp" "$tables" "$files" > "${TERMINATION_LOG:-/dev/termination-log}"

        """#
}
