import KubeModel

/// What runs before Odoo in every Odoo pod: the addon images copied into the addons volume, then
/// the configuration with the master password, checked: a module `server_wide_modules` names that
/// neither the image nor an addon image has stops the pod with a message naming it, instead of an
/// Odoo whose health check passes while every login page fails.
extension PlanContext {
    /// The volume the addon images are copied into.
    static let addonsVolume = "addons"

    /// One container per addon image: its module directory copied into `<addonsMount>/<index>`.
    /// The image needs `/bin/sh` and `cp` (an image built `FROM` Odoo, busybox or alpine has them).
    func addonContainers() -> [JSONValue] {
        addonImages.enumerated().map { index, addon in
            let target = "\(OdooConfFile.addonsMount)/\(index)"
            return [
                "command": ["/bin/sh", "-c", .string("mkdir -p \(target) && cp -R \(addon.path)/. \(target)/")],
                "image": .string(addon.image),
                "name": .string("addon-\(index)"),
                "resources": ["limits": ["memory": "128Mi"], "requests": ["cpu": "10m", "memory": "32Mi"]],
                "securityContext": PlanContext.containerSecurity,
                "terminationMessagePolicy": "FallbackToLogsOnError",
                "volumeMounts": .array(addonsMount(readOnly: false)),
            ]
        }
    }

    /// The addons volume's mount, when there are addon images.
    func addonsMount(readOnly: Bool) -> [JSONValue] {
        guard !addonImages.isEmpty else { return [] }
        var mount: JSONObject = ["mountPath": .string(OdooConfFile.addonsMount), "name": .string(PlanContext.addonsVolume)]
        if readOnly { mount["readOnly"] = true }
        return [.object(mount)]
    }

    /// Appends the master password from the admin Secret to a copy of the ConfigMap's odoo.conf in a
    /// memory-backed volume only the Odoo container reads, then checks the server-wide modules.
    /// - Parameter requiredModules: modules the pod's process loads besides `server_wide_modules`
    ///   (`queue_job` in the background job worker), checked the same way.
    func configInitContainer(image: String, requiredModules: [String] = []) -> JSONValue {
        let script = "umask 077 && cp \(PlanContext.baseConfMount)/odoo.conf \(PlanContext.confMount)/odoo.conf"
            + " && printf 'admin_passwd = %s\\n' \"$ODOO_ADMIN_PASSWD\" >> \(PlanContext.confMount)/odoo.conf"
            + " && python3 - <<'CHECK'\n\(moduleCheck(requiredModules))\nCHECK\n"
        return [
            "command": ["/bin/sh", "-c", .string(script)],
            "env": [secretVariable("ODOO_ADMIN_PASSWD", adminSecret, "password")],
            "image": .string(image),
            "name": .string(PodFailure.configContainer),
            "resources": ["limits": ["memory": "64Mi"], "requests": ["cpu": "10m", "memory": "32Mi"]],
            "securityContext": PlanContext.containerSecurity,
            "terminationMessagePolicy": "FallbackToLogsOnError",
            "volumeMounts": .array(addonsMount(readOnly: true) + [
                ["mountPath": .string(PlanContext.baseConfMount), "name": "base-config", "readOnly": true],
                ["mountPath": .string(PlanContext.confMount), "name": "config"],
            ]),
        ]
    }

    /// A Python function for the check scripts: `finish(message, status)` prints the message, makes it
    /// the container's termination message (which the operator reports) and exits with `status`.
    static let pythonFinish = """
        def finish(message, status):
            sys.stderr.write(message + "\\n")
            try:
                with open("/dev/termination-log", "w") as log:
                    log.write(message)
            except OSError:
                pass
            sys.exit(status)
        """

    /// Python without importing Odoo (a few MiB): every `server_wide_modules` entry besides `base` and
    /// `web` must be a directory with `__manifest__.py` in Odoo's own addons or on `addons_path`. An
    /// image whose `python3` cannot find the `odoo` package is not judged (a warning in the log).
    /// `required` are checked too (a line of their own, so the check of every other pod stays as it was).
    private func moduleCheck(_ required: [String]) -> String {
        let extra = required.isEmpty ? "" : "\nwanted += [\(required.map { "\"\($0)\"" }.joined(separator: ", "))]"
        return """
        import configparser, importlib.util, os, sys
        \(PlanContext.pythonFinish)
        parser = configparser.RawConfigParser()
        parser.read("\(PlanContext.confMount)/odoo.conf")
        options = parser["options"]
        wanted = [m.strip() for m in options.get("server_wide_modules", "base,web").split(",") if m.strip() not in ("", "base", "web")]\(extra)
        spec = importlib.util.find_spec("odoo")
        if wanted and spec is None:
            sys.stderr.write("warning: python3 does not find the odoo package, so server_wide_modules is not checked\\n")
            sys.exit(0)
        roots = [os.path.join(p, "addons") for p in (spec.submodule_search_locations if spec else [])]
        roots += [p.strip() for p in options.get("addons_path", "").split(",") if p.strip()]
        missing = [m for m in wanted if not any(os.path.isfile(os.path.join(r, m, "__manifest__.py")) for r in roots)]
        if missing:
            message = ("server_wide_modules names " + ", ".join(missing) + ", which neither the image nor an addon image provides (searched "
                       + ", ".join(roots) + "); \(required.isEmpty ? "Odoo would answer /web/health but fail every login" : "the worker would start but never run a job"): add the module to the image or spec.addons, or turn \(required.isEmpty ? "spec.redis" : "spec.jobs") off")
            finish(message, \(PodFailure.missingModuleExit))
        """
    }
}
