import KubeModel

/// The sleeping page: while an environment sleeps (and while it wakes, until a web pod is available)
/// its routes go to a small server that answers every request with 503, a `Retry-After` and a page
/// saying until when it sleeps and how to wake it. The server is Python's standard library run by the
/// environment's own Odoo image — already pinned, verified and pulled, so nothing new is trusted —
/// at 10m CPU and 32Mi, on port 8069, which the environment's NetworkPolicy already opens to Traefik.
extension PlanContext {
    static let sleepingMount = "/run/sleeping"

    /// The server: the page and the `Retry-After` value are read from the mounted ConfigMap on each
    /// request, so a new wake-up time needs no restart; `/healthz` answers 200 for the probes.
    static let sleepingServer = """
        import http.server, pathlib, sys, time
        root, port = pathlib.Path(sys.argv[1]), int(sys.argv[2])

        def countdown():
            # How long until the wake-up, at the time of the request ("until" holds Unix seconds).
            text = (root / "until").read_text().strip() if (root / "until").exists() else ""
            if not text:
                return "at the next working hours"
            left = int(int(text) - time.time())
            if left < 60:
                return "any moment now"
            days, rest = divmod(left, 86400)
            hours, rest = divmod(rest, 3600)
            parts = ["%d day%s" % (days, "" if days == 1 else "s")] if days else []
            parts += ["%d h" % hours] if hours else []
            parts += ["%d min" % (rest // 60)] if not days and rest // 60 else []
            return "in " + " ".join(parts)

        class Page(http.server.BaseHTTPRequestHandler):
            def answer(self, body=True):
                if self.path == "/healthz":
                    self.send_response(200)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                page = (root / "index.html").read_bytes().replace(b"@@UNTIL@@", countdown().encode())
                self.send_response(503)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Cache-Control", "no-store")
                self.send_header("Retry-After", (root / "retry-after").read_text().strip())
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                if body:
                    self.wfile.write(page)

            def do_HEAD(self):
                self.answer(body=False)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = answer

            def log_message(self, *args):
                pass

        http.server.ThreadingHTTPServer(("", port), Page).serve_forever()

        """

    /// The page's ConfigMap, Deployment and Service.
    func sleepingPage(_ sleep: SleepStatus) -> [JSONValue] {
        let configMap = object(.configMaps, names.sleeping, component: .sleeping, ["data": [
            "index.html": .string(sleep.page(environment)),
            "retry-after": .string(sleep.retryAfter),
            "until": .string(sleep.until.map { String(Int64($0.timeIntervalSince1970)) } ?? ""),
            "serve.py": .string(PlanContext.sleepingServer),
        ]])
        let probe: (Int64) -> JSONValue = { period in
            ["failureThreshold": 3, "httpGet": ["path": "/healthz", "port": "http"], "periodSeconds": .int(period), "timeoutSeconds": 2]
        }
        let container: JSONObject = [
            "args": [.string("\(PlanContext.sleepingMount)/serve.py"), .string(PlanContext.sleepingMount), "8069"],
            "command": ["python3"],
            "image": .string(image),
            "livenessProbe": probe(20),
            "name": "page",
            "ports": [["containerPort": 8069, "name": "http", "protocol": "TCP"]],
            "readinessProbe": probe(5),
            "resources": ["limits": ["cpu": "100m", "memory": "64Mi"], "requests": ["cpu": "10m", "memory": "32Mi"]],
            "securityContext": PlanContext.containerSecurity,
            "volumeMounts": [["mountPath": .string(PlanContext.sleepingMount), "name": "page", "readOnly": true]],
        ]
        let deployment = object(.deployments, names.sleeping, component: .sleeping, ["spec": [
            "replicas": 1,
            "revisionHistoryLimit": 2,
            "selector": ["matchLabels": PlanContext.map(environment.selector(component: .sleeping))],
            "template": [
                "metadata": ["labels": PlanContext.map(environment.labels(component: .sleeping))],
                "spec": [
                    "automountServiceAccountToken": false,
                    "containers": [.object(container)],
                    "enableServiceLinks": false,
                    "securityContext": [
                        "runAsGroup": .int(Int64(configuration.odooUID)), "runAsNonRoot": true,
                        "runAsUser": .int(Int64(configuration.odooUID)), "seccompProfile": ["type": "RuntimeDefault"],
                    ],
                    "volumes": [["configMap": ["name": .string(names.sleeping)], "name": "page"]],
                ],
            ],
        ]])
        // Both of the web Service's ports, so the routes only change the Service they name.
        let service = object(.services, names.sleeping, component: .sleeping, ["spec": [
            "ports": [
                ["name": "http", "port": 8069, "protocol": "TCP", "targetPort": "http"],
                ["name": "gevent", "port": 8072, "protocol": "TCP", "targetPort": "http"],
            ],
            "selector": PlanContext.map(environment.selector(component: .sleeping)),
            "type": "ClusterIP",
        ]])
        return [configMap, service, deployment]
    }
}
