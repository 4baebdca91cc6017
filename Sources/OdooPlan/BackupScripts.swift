/// The shell scripts the backup and restore-rehearsal Jobs run, put in each environment's
/// `<base>-backup-scripts` ConfigMap. POSIX `sh`, the PostgreSQL client tools in the PostgreSQL image
/// and the AWS CLI in the S3 client image; everything they need comes in as environment variables,
/// so the tests run these very texts against a real PostgreSQL and an S3 server.
///
/// Layout in the bucket: `S3_URL/<UTC stamp>.dump` (pg_dump custom format), `<stamp>.filestore.tar.gz`
/// and `<stamp>.sha256` (both files' SHA-256 as `sha256sum` writes them). With a public key
/// (`PUBLIC_KEY`, the configuration's `backup.encryption.publicKey`) the dump and the archive are
/// OpenPGP-encrypted in the pod before anything leaves it (`<stamp>.dump.gpg`,
/// `<stamp>.filestore.tar.gz.gpg`), the checksums are of what is uploaded, and only the restore
/// rehearsal, given the private key (`PRIVATE_KEY`), decrypts. Each script ends by writing one JSON
/// line to the container's termination message, which the operator reads back.
public enum BackupScripts {
    /// Functions both S3 scripts share: `use_target URL [ENDPOINT]` points them at a bucket and prefix
    /// (first `S3_URL`, `S3_ENDPOINT`), `backups` lists the backups there.
    static let s3Functions = #"""
        aws_s3() {
          if [ -n "${endpoint:-}" ]; then aws --endpoint-url "$endpoint" "$@"; else aws "$@"; fi
        }
        use_target() {
          url=$1; endpoint=${2:-}
          bucket=${url#s3://}; bucket=${bucket%%/*}
          prefix=${url#s3://"$bucket"}; prefix=${prefix#/}; prefix=${prefix%/}
        }
        use_target "$S3_URL" "${S3_ENDPOINT:-}"
        # The backups under the prefix, oldest first (stamps sort as text).
        backups() {
          aws_s3 s3api list-objects-v2 --bucket "$bucket" --prefix "${prefix:+$prefix/}" --query 'Contents[].Key' --output text \
            | tr '\t' '\n' | grep -E '(^|/)[0-9]{8}T[0-9]{6}Z\.((dump|filestore\.tar\.gz)(\.gpg)?|sha256)$' | sort || true
        }
        """#

    /// Dumps the database (custom format) and tars the filestore into `$WORK`, encrypting both for
    /// `PUBLIC_KEY` when it is set (PostgreSQL image, which carries `gpg`).
    /// Reads `PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`, `PGDATABASE`, `WORK`, `FILESTORE`, `PUBLIC_KEY`.
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
        suffix=
        if [ -n "${PUBLIC_KEY:-}" ]; then
          # Encrypted before anything leaves the pod: only the private key's holder can read it.
          GNUPGHOME=$(mktemp -d "$WORK/.gnupg.XXXXXX"); export GNUPGHOME
          for file in "$stamp.dump" "$stamp.filestore.tar.gz"; do
            gpg --batch --quiet --no-tty --trust-model always --recipient-file "$PUBLIC_KEY" --output "$WORK/$file.gpg" --encrypt "$WORK/$file"
            rm -f "$WORK/$file"
          done
          rm -rf "$GNUPGHOME"
          suffix=.gpg
        fi
        printf '%s\n' "$stamp" > "$WORK/stamp"
        printf '%s\n' "$suffix" > "$WORK/suffix"
        echo "dumped database $PGDATABASE as $stamp${suffix:+ (encrypted)}"

        """#

    /// Uploads the dump, the filestore and their checksums, then deletes backups older than
    /// `RETENTION_DAYS` (never the one just written); with `COPY_S3_URL`, does the same in a second
    /// bucket or region, with its own endpoint, region and credentials when given (S3 client image).
    /// Reads `WORK`, `S3_URL`, `S3_ENDPOINT` (optional), `RETENTION_DAYS`, the AWS credentials, and
    /// `COPY_S3_URL`, `COPY_S3_ENDPOINT`, `COPY_AWS_DEFAULT_REGION`, `COPY_AWS_ACCESS_KEY_ID`,
    /// `COPY_AWS_SECRET_ACCESS_KEY` (all optional).
    public static let upload = #"""
        #!/bin/sh
        # Written by odoo-guard: upload a backup with its checksums and apply the retention.
        set -eu
        : "${WORK:?}" "${S3_URL:?S3_URL is s3://bucket/prefix}" "${RETENTION_DAYS:?}"

        """# + s3Functions + #"""

        stamp=$(cat "$WORK/stamp")
        suffix=$(cat "$WORK/suffix" 2>/dev/null || true)
        dump="$stamp.dump$suffix"; archive="$stamp.filestore.tar.gz$suffix"
        cd "$WORK"
        sha256sum "$dump" "$archive" > "$stamp.sha256"
        cutoff=$(date -u -d "@$(( $(date -u +%s) - RETENTION_DAYS * 86400 ))" +%Y%m%d%H%M%S)
        # The files to the current target, then its backups past the retention deleted; prints the count.
        publish() {
          for file in "$dump" "$archive" "$stamp.sha256"; do
            aws_s3 s3 cp --only-show-errors "$file" "s3://$bucket/${prefix:+$prefix/}$file"
          done
          removed=0
          for key in $(backups); do
            name=${key##*/}
            when=$(printf '%s' "${name%%.*}" | tr -d 'TZ')
            if [ "${name%%.*}" != "$stamp" ] && [ "$when" -lt "$cutoff" ]; then
              aws_s3 s3 rm --only-show-errors "s3://$bucket/$key"
              removed=$((removed + 1))
            fi
          done
          echo "$removed"
        }
        pruned=$(publish)
        copy=
        if [ -n "${COPY_S3_URL:-}" ]; then
          copied=$(
            export AWS_ACCESS_KEY_ID="${COPY_AWS_ACCESS_KEY_ID:-${AWS_ACCESS_KEY_ID:-}}"
            export AWS_SECRET_ACCESS_KEY="${COPY_AWS_SECRET_ACCESS_KEY:-${AWS_SECRET_ACCESS_KEY:-}}"
            export AWS_DEFAULT_REGION="${COPY_AWS_DEFAULT_REGION:-${AWS_DEFAULT_REGION:-}}"
            use_target "$COPY_S3_URL" "${COPY_S3_ENDPOINT:-}"
            publish
          )
          copy=$COPY_S3_URL
          echo "copied $stamp to $COPY_S3_URL; pruned $copied objects there"
        fi
        size=$(( $(wc -c < "$dump") + $(wc -c < "$archive") ))
        digest=$(sha256sum "$dump" | cut -d ' ' -f 1)
        encrypted=false; [ -z "$suffix" ] || encrypted=true
        echo "uploaded $stamp ($size bytes, sha256 $digest); pruned $pruned objects older than $RETENTION_DAYS days"
        printf '{"backup":"%s","size":%s,"sha256":"%s","pruned":%s,"encrypted":%s,"copy":"%s"}\n' "$stamp" "$size" "$digest" "$pruned" "$encrypted" "$copy" \
          > "${TERMINATION_LOG:-/dev/termination-log}"

        """#

    /// Downloads the newest dump (or `BACKUP_STAMP`'s) and checks it against its checksum file; with
    /// `FETCH_FILESTORE` the filestore archive too (S3 client image).
    /// Reads `WORK`, `S3_URL`, `S3_ENDPOINT` (optional), `BACKUP_STAMP`, `FETCH_FILESTORE`, the AWS credentials.
    public static let fetch = #"""
        #!/bin/sh
        # Written by odoo-guard: fetch a backup (the newest, or BACKUP_STAMP) and verify its checksums.
        set -eu
        : "${WORK:?}" "${S3_URL:?S3_URL is s3://bucket/prefix}"

        """# + s3Functions + #"""

        dumps=$(backups | grep -E '\.dump(\.gpg)?$' || true)
        if [ -z "$dumps" ]; then
          echo "no backup under $S3_URL to restore" >&2
          exit 1
        fi
        newest=$(printf '%s\n' "$dumps" | tail -n 1)
        if [ -n "${BACKUP_STAMP:-}" ]; then
          latest=$(printf '%s\n' "$dumps" | grep -E "(^|/)$BACKUP_STAMP\.dump(\.gpg)?\$" || true)
          if [ -z "$latest" ]; then
            echo "backup $BACKUP_STAMP does not exist under $S3_URL; the newest is ${newest##*/} (leave spec.source.backup out for it)" >&2
            exit 1
          fi
        else
          latest=$newest
        fi
        name=${latest##*/}
        stamp=${name%%.*}
        suffix=${name#"$stamp.dump"}
        aws_s3 s3 cp --only-show-errors "s3://$bucket/$latest" "$WORK/$name"
        aws_s3 s3 cp --only-show-errors "s3://$bucket/${latest%"$name"}$stamp.sha256" "$WORK/$stamp.sha256"
        cd "$WORK"
        if [ -n "${FETCH_FILESTORE:-}" ]; then
          aws_s3 s3 cp --only-show-errors "s3://$bucket/${latest%"$name"}$stamp.filestore.tar.gz$suffix" "$WORK/$stamp.filestore.tar.gz$suffix"
          if ! sha256sum -c "$stamp.sha256"; then
            echo "backup $stamp fails its checksum: the files differ from what was uploaded" >&2
            exit 1
          fi
        elif ! grep " $name\$" "$stamp.sha256" | sha256sum -c -; then
          echo "backup $stamp fails its checksum: the dump differs from what was uploaded" >&2
          exit 1
        fi
        printf '%s\n' "$stamp" > "$WORK/stamp"
        printf '%s\n' "$suffix" > "$WORK/suffix"

        """#

    /// Decrypts the fetched dump when it is encrypted (with `PRIVATE_KEY`, this Job's only), restores it
    /// into the scratch database, runs the sanity queries and empties the scratch database again
    /// (PostgreSQL image). Reads the `PG*` login, `PGDATABASE` (the environment's database),
    /// `SCRATCH_DATABASE`, `WORK`, `PRIVATE_KEY`.
    public static let restoreCheck = #"""
        #!/bin/sh
        # Written by odoo-guard: restore the newest backup into a scratch database and check it.
        set -eu
        : "${PGDATABASE:?}" "${SCRATCH_DATABASE:?}" "${WORK:?}"
        stamp=$(cat "$WORK/stamp")
        suffix=$(cat "$WORK/suffix" 2>/dev/null || true)
        scratch() { psql -X -A -t -v ON_ERROR_STOP=1 -d "$SCRATCH_DATABASE" "$@"; }
        # Leave no copy of the data behind, whatever happens below: the scratch database emptied, a
        # decrypted dump removed.
        trap 'rm -f "$WORK/$stamp.dump"; scratch -c "DROP SCHEMA IF EXISTS public CASCADE" -c "CREATE SCHEMA public" >/dev/null 2>&1 || true' EXIT
        if [ -n "$suffix" ]; then
          # Only this Job holds the private key.
          if [ -z "${PRIVATE_KEY:-}" ] || [ ! -s "$PRIVATE_KEY" ]; then
            echo "backup $stamp is encrypted and this rehearsal has no private key: create the Secret backup.encryption.privateKeySecret names (key private.asc)" >&2
            exit 1
          fi
          GNUPGHOME=$(mktemp -d "$WORK/.gnupg.XXXXXX"); export GNUPGHOME
          gpg --batch --quiet --no-tty --import "$PRIVATE_KEY"
          gpg --batch --quiet --no-tty --output "$WORK/$stamp.dump" --decrypt "$WORK/$stamp.dump$suffix"
          gpgconf --kill gpg-agent 2>/dev/null || true
          rm -rf "$GNUPGHOME" "$WORK/$stamp.dump$suffix"
        fi
        exists=$(psql -X -A -t -v ON_ERROR_STOP=1 -c "SELECT 1 FROM pg_database WHERE datname = '$SCRATCH_DATABASE'")
        if [ "$exists" != 1 ]; then createdb "$SCRATCH_DATABASE"; fi
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
        printf '{"backup":"%s","tables":%s,"modules":%s,"decrypted":%s}\n' "$stamp" "$tables" "$modules" "$([ -n "$suffix" ] && echo true || echo false)" \
          > "${TERMINATION_LOG:-/dev/termination-log}"

        """#

    /// The ConfigMap key of the public key backups are encrypted for (`backup.encryption.publicKey`).
    public static let publicKeyFile = "backup-public-key.asc"

    /// The ConfigMap's data: file name → script.
    public static let files: [(String, String)] = [
        ("backup-dump.sh", dump), ("backup-upload.sh", upload), ("restore-fetch.sh", fetch), ("restore-check.sh", restoreCheck),
    ]
}
