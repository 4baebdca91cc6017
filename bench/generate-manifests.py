#!/usr/bin/env python3
"""Writes N realistic manifests (Deployments with PDBs and odoo.conf ConfigMaps, some non-compliant)
into one multi-document YAML file, for timing `guardctl check`. Usage: generate-manifests.py N OUT"""
import sys

count, out = int(sys.argv[1]), sys.argv[2]
digest = "sha256:" + "4c" * 32
docs = []
for i in range(count):
    ns = f"tenant-{i % 50}"
    kind = i % 4
    if kind in (0, 1):
        image = f"registry.example.com/odoo/odoo:17.0@{digest}" if kind == 0 else "docker.io/bitnami/odoo:latest"
        docs.append(f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-{i}
  namespace: {ns}
  labels: {{app.kubernetes.io/instance: env-{i}, odooguard.io/environment: env-{i}}}
  annotations: {{odooguard.io/inject: "db,admin"}}
spec:
  replicas: 3
  selector: {{matchLabels: {{app: web-{i}}}}}
  template:
    metadata:
      labels: {{app: web-{i}, odooguard.io/environment: env-{i}}}
    spec:
      initContainers:
        - name: migrate
          image: {image}
          args: ["--stop-after-init", "-u", "all"]
      containers:
        - name: odoo
          image: {image}
          ports: [{{containerPort: 8069}}, {{containerPort: 8072}}]
          env:
            - {{name: PGSSLMODE, value: require}}
            - {{name: DB_PASSWORD, valueFrom: {{secretKeyRef: {{name: env-{i}-db, key: password}}}}}}
          resources:
            requests: {{cpu: 500m, memory: 1Gi}}
            limits: {{memory: 2Gi}}
          readinessProbe: {{httpGet: {{path: /web/health, port: 8069}}}}
""")
    elif kind == 2:
        docs.append(f"""apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {{name: web-{i - 2}, namespace: {ns}}}
spec:
  maxUnavailable: 1
  unhealthyPodEvictionPolicy: AlwaysAllow
  selector: {{matchLabels: {{app: web-{i - 2}}}}}
""")
    else:
        docs.append(f"""apiVersion: v1
kind: ConfigMap
metadata: {{name: conf-{i}, namespace: {ns}}}
data:
  odoo.conf: |
    [options]
    proxy_mode = True
    list_db = False
    dbfilter = ^env{i}$
    workers = 4
""")
with open(out, "w") as f:
    f.write("---\n".join(docs))
