import KubeModel

/// The database lifecycle's Jobs, in the environment's image with its odoo.conf and credentials: the
/// initialisation (a check that never initialises a database twice, the extensions Odoo expects,
/// then `odoo --init`) and the upgrade (`odoo --update`) before a change rolls out.
extension PlanContext {
    /// The init Job `name`: installs `spec.database.initModules` into the empty database, without demo data.
    func initJob(name: String) -> JSONValue {
        let modules = environment.database.initModules.joined(separator: ",")
        return odooJob(name: name, component: .initialize, container: .initialize, script: initScript(modules: modules),
                       deadline: 3600, retries: 1)
    }

    /// The upgrade Job `name`: every module updated after a major-version change (`updateAll`),
    /// otherwise the modules the addon images carry; then Odoo stops. The failing container's log
    /// tail becomes its termination message, which the status reports.
    func upgradeJob(name: String, updateAll: Bool) -> JSONValue {
        let database = environment.database.name
        let update = updateAll ? "modules=all" : """
            modules=$(for manifest in \(OdooConfFile.addonsMount)/*/*/__manifest__.py; do if [ -f "$manifest" ]; then basename "$(dirname "$manifest")"; fi; done | sort -u | tr '\\n' ',')
            modules=${modules%,}
            if [ -z "$modules" ]; then echo "the addon images carry no module: nothing to update"; exit 0; fi
            """
        let script = """
            set -eu
            export PGHOST="$HOST" PGPORT="$PORT" PGUSER="$USER" PGPASSWORD="$PASSWORD" PGDATABASE=\(database)
            \(update)
            echo "updating $modules in database \(database)"
            exec odoo --config=\(PlanContext.confMount)/odoo.conf --no-http --workers=0 --max-cron-threads=0 --database=\(database) --update="$modules" --stop-after-init
            """
        return odooJob(name: name, component: .upgrade, container: .upgrade, script: script, deadline: 21600, retries: 0)
    }

    /// A Job running `script` in one Odoo container, never restarted in place.
    func odooJob(name: String, component: Component, container containerName: JobContainer, script: String, deadline: Int64, retries: Int64) -> JSONValue {
        var container: JSONObject = [
            "command": ["/bin/sh", "-c", .string(script)],
            "env": .array(credentialEnvironment()),
            "image": .string(image),
            "name": .string(containerName.rawValue),
            "resources": containerResources(),
            "securityContext": PlanContext.containerSecurity,
            "terminationMessagePolicy": "FallbackToLogsOnError",
            "volumeMounts": volumeMounts(),
        ]
        container.sort { $0.key < $1.key }
        var podSpec = odooPodSpec(container: container, image: image)
        podSpec["restartPolicy"] = "Never"
        podSpec.sort { $0.key < $1.key }
        return object(.jobs, name, component: component, ["spec": [
            "activeDeadlineSeconds": .int(deadline),
            // The init Job is safe to retry (its check leaves an initialised database alone); an upgrade is not.
            "backoffLimit": .int(retries),
            "template": ["metadata": ["labels": PlanContext.map(environment.labels(component: component))], "spec": .object(podSpec)],
        ]])
    }


    /// Exit status of the check when the database is initialised already (the Job then succeeds).
    static let alreadyInitialized = 3

    /// The shell script of the init Job: the libpq variables from the credentials, the check, then Odoo.
    private func initScript(modules: String) -> String {
        let database = environment.database.name
        return """
            set -eu
            export PGHOST="$HOST" PGPORT="$PORT" PGUSER="$USER" PGPASSWORD="$PASSWORD" PGDATABASE=\(database)
            set +e
            python3 - <<'CHECK'
            \(initCheck(database: database))
            CHECK
            status=$?
            set -e
            [ "$status" -eq \(PlanContext.alreadyInitialized) ] && exit 0
            [ "$status" -eq 0 ] || exit "$status"
            exec odoo --config=\(PlanContext.confMount)/odoo.conf --no-http --workers=0 --max-cron-threads=0 --database=\(database) --init=\(modules) --without-demo=all --stop-after-init
            """
    }

    /// Python (the image's own, with psycopg2): waits up to five minutes for the database, exits
    /// ``alreadyInitialized`` when `base` is installed, and creates `pg_trgm` (and `unaccent` when
    /// configured) as Odoo does for databases it creates itself. An extension the role may not
    /// create is a warning: the platform creates it on that tier.
    private func initCheck(database: String) -> String {
        var statements = ["CREATE EXTENSION IF NOT EXISTS pg_trgm"]
        if conf.unaccent { statements += ["CREATE EXTENSION IF NOT EXISTS unaccent", "ALTER FUNCTION unaccent(text) IMMUTABLE"] }
        return """
            import sys, time
            import psycopg2
            \(PlanContext.pythonFinish)
            deadline = time.monotonic() + 300
            while True:
                try:
                    connection = psycopg2.connect(connect_timeout=10)
                    break
                except psycopg2.OperationalError as error:
                    if time.monotonic() > deadline:
                        sys.exit("cannot log in to database \(database): " + str(error).strip())
                    time.sleep(5)
            connection.autocommit = True
            cursor = connection.cursor()
            cursor.execute("SELECT to_regclass('ir_module_module') IS NOT NULL")
            if cursor.fetchone()[0]:
                cursor.execute("SELECT state FROM ir_module_module WHERE name = 'base'")
                row = cursor.fetchone()
                if row and row[0] == "installed":
                    finish("database \(database) is already initialised (base is installed); nothing was changed", \(PlanContext.alreadyInitialized))
            for statement in \(pythonList(statements)):
                try:
                    cursor.execute(statement)
                except psycopg2.Error as error:
                    sys.stderr.write("warning: " + statement + ": " + str(error).strip() + "\\n")
            """
    }

    private func pythonList(_ items: [String]) -> String {
        "[" + items.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
    }
}
