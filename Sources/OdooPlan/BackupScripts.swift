/// The shell scripts the backup and restore-rehearsal Jobs run, put in each environment's
/// `<base>-backup-scripts` ConfigMap. POSIX `sh`, the PostgreSQL client tools in the PostgreSQL image
/// and the AWS CLI in the S3 client image; everything they need comes in as environment variables,
/// so the tests run these very texts against a real PostgreSQL and an S3 server.
///
/// Layout in the bucket: `S3_URL/<UTC stamp>.dump` (pg_dump custom format), `<stamp>.filestore.tar.gz`
/// and `<stamp>.sha256` (both files' SHA-256 as `sha256sum` writes them). Each script ends by writing
/// one JSON line to the container's termination message, which the operator reads back.
public enum BackupScripts {
    /// Functions both S3 scripts share.
    static let s3Functions = #"""
        aws_s3() {
          if [ -n "${S3_ENDPOINT:-}" ]; then aws --endpoint-url "$S3_ENDPOINT" "$@"; else aws "$@"; fi
        }
        bucket=${S3_URL#s3://}; bucket=${bucket%%/*}
        prefix=${S3_URL#s3://"$bucket"}; prefix=${prefix#/}; prefix=${prefix%/}
        # The backups under the prefix, oldest first (stamps sort as text).
        backups() {
          aws_s3 s3api list-objects-v2 --bucket "$bucket" --prefix "${prefix:+$prefix/}" --query 'Contents[].Key' --output text \
            | tr '\t' '\n' | grep -E '(^|/)[0-9]{8}T[0-9]{6}Z\.(dump|filestore\.tar\.gz|sha256)$' | sort || true
        }
        """#

    /// Dumps the database (custom format) and tars the filestore into `$WORK` (PostgreSQL image).
    /// Reads `PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`, `PGDATABASE`, `WORK`, `FILESTORE`.
    public static let dump = #"""
        #!/bin/sh
        # Written by odoo-guard: dump one Odoo database and its filestore into $WORK.
        set -eu
        : "${PGDATABASE:?PGDATABASE names the database}" "${WORK:?WORK names the work directory}"
        stamp=$(date -u +%Y%m%dT%H%M%SZ)
        pg_dump --format=custom --no-password --file="$WORK/$stamp.dump"
        if [ -n "${FILESTORE:-}" ] && [ -d "$FILESTORE" ]; then
          tar -C "$FILESTORE" -czf "$WORK/$stamp.filestore.tar.gz" .
        else
          tar -czf "$WORK/$stamp.filestore.tar.gz" -T /dev/null
        fi
        printf '%s\n' "$stamp" > "$WORK/stamp"
        echo "dumped database $PGDATABASE as $stamp"

        """#

    /// Uploads the dump, the filestore and their checksums, then deletes backups older than
    /// `RETENTION_DAYS` (never the one just written) (S3 client image).
    /// Reads `WORK`, `S3_URL`, `S3_ENDPOINT` (optional), `RETENTION_DAYS`, the AWS credentials.
    public static let upload = #"""
        #!/bin/sh
        # Written by odoo-guard: upload a backup with its checksums and apply the retention.
        set -eu
        : "${WORK:?}" "${S3_URL:?S3_URL is s3://bucket/prefix}" "${RETENTION_DAYS:?}"

        """# + s3Functions + #"""

        stamp=$(cat "$WORK/stamp")
        cd "$WORK"
        sha256sum "$stamp.dump" "$stamp.filestore.tar.gz" > "$stamp.sha256"
        for file in "$stamp.dump" "$stamp.filestore.tar.gz" "$stamp.sha256"; do
          aws_s3 s3 cp --only-show-errors "$file" "s3://$bucket/${prefix:+$prefix/}$file"
        done
        size=$(( $(wc -c < "$stamp.dump") + $(wc -c < "$stamp.filestore.tar.gz") ))
        digest=$(sha256sum "$stamp.dump" | cut -d ' ' -f 1)
        cutoff=$(date -u -d "@$(( $(date -u +%s) - RETENTION_DAYS * 86400 ))" +%Y%m%d%H%M%S)
        pruned=0
        for key in $(backups); do
          name=${key##*/}
          when=$(printf '%s' "${name%%.*}" | tr -d 'TZ')
          if [ "${name%%.*}" != "$stamp" ] && [ "$when" -lt "$cutoff" ]; then
            aws_s3 s3 rm --only-show-errors "s3://$bucket/$key"
            pruned=$((pruned + 1))
          fi
        done
        echo "uploaded $stamp ($size bytes, sha256 $digest); pruned $pruned objects older than $RETENTION_DAYS days"
        printf '{"backup":"%s","size":%s,"sha256":"%s","pruned":%s}\n' "$stamp" "$size" "$digest" "$pruned" \
          > "${TERMINATION_LOG:-/dev/termination-log}"

        """#

    /// Downloads the newest dump and checks it against its checksum file (S3 client image).
    /// Reads `WORK`, `S3_URL`, `S3_ENDPOINT` (optional), the AWS credentials.
    public static let fetch = #"""
        #!/bin/sh
        # Written by odoo-guard: fetch the newest backup and verify its checksum.
        set -eu
        : "${WORK:?}" "${S3_URL:?S3_URL is s3://bucket/prefix}"

        """# + s3Functions + #"""

        latest=$(backups | grep -E '\.dump$' | tail -n 1)
        if [ -z "$latest" ]; then
          echo "no backup under $S3_URL to rehearse a restore with" >&2
          exit 1
        fi
        name=${latest##*/}
        stamp=${name%.dump}
        aws_s3 s3 cp --only-show-errors "s3://$bucket/$latest" "$WORK/$stamp.dump"
        aws_s3 s3 cp --only-show-errors "s3://$bucket/${latest%.dump}.sha256" "$WORK/$stamp.sha256"
        cd "$WORK"
        grep " $stamp.dump\$" "$stamp.sha256" | sha256sum -c -
        printf '%s\n' "$stamp" > "$WORK/stamp"

        """#

    /// Restores the fetched dump into the scratch database, runs the sanity queries and empties the
    /// scratch database again (PostgreSQL image). Reads the `PG*` login, `PGDATABASE` (the
    /// environment's database), `SCRATCH_DATABASE`, `WORK`.
    public static let restoreCheck = #"""
        #!/bin/sh
        # Written by odoo-guard: restore the newest backup into a scratch database and check it.
        set -eu
        : "${PGDATABASE:?}" "${SCRATCH_DATABASE:?}" "${WORK:?}"
        stamp=$(cat "$WORK/stamp")
        exists=$(psql -X -A -t -v ON_ERROR_STOP=1 -c "SELECT 1 FROM pg_database WHERE datname = '$SCRATCH_DATABASE'")
        if [ "$exists" != 1 ]; then createdb "$SCRATCH_DATABASE"; fi
        scratch() { psql -X -A -t -v ON_ERROR_STOP=1 -d "$SCRATCH_DATABASE" "$@"; }
        # Leave no copy of the data behind, whatever happens below.
        trap 'scratch -c "DROP SCHEMA IF EXISTS public CASCADE" -c "CREATE SCHEMA public" >/dev/null 2>&1 || true' EXIT
        scratch -c "DROP SCHEMA IF EXISTS public CASCADE" -c "CREATE SCHEMA public" > /dev/null
        pg_restore --no-owner --no-privileges --exit-on-error --dbname="$SCRATCH_DATABASE" "$WORK/$stamp.dump"
        tables=$(scratch -c "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
        if [ "$tables" -eq 0 ]; then
          echo "the restore of $stamp has no tables" >&2
          exit 1
        fi
        modules=-1
        if [ "$(scratch -c "SELECT to_regclass('public.ir_module_module') IS NOT NULL")" = t ]; then
          modules=$(scratch -c "SELECT count(*) FROM ir_module_module WHERE state = 'installed'")
          if [ "$modules" -eq 0 ]; then
            echo "the restore of $stamp has no installed Odoo module" >&2
            exit 1
          fi
        fi
        echo "restored $stamp: $tables tables, $modules installed modules"
        printf '{"backup":"%s","tables":%s,"modules":%s}\n' "$stamp" "$tables" "$modules" > "${TERMINATION_LOG:-/dev/termination-log}"

        """#

    /// The ConfigMap's data: file name → script.
    public static let files: [(String, String)] = [
        ("backup-dump.sh", dump), ("backup-upload.sh", upload), ("restore-fetch.sh", fetch), ("restore-check.sh", restoreCheck),
    ]
}
