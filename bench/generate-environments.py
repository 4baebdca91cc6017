#!/usr/bin/env python3
"""Writes N OdooEnvironments (YAML stream, or JSON List with --json) for the guard-traefik benchmarks.

Usage: generate-environments.py N OUT [--json]
Varied on purpose: Odoo 15-18, 1-4 replicas, Redis on/off, Secret or ACME certificates, aliases,
admin networks (IPv4 and IPv6) or none, custom login limits.
"""
import json
import sys

count, out = int(sys.argv[1]), sys.argv[2]
as_json = "--json" in sys.argv[3:]
items = []
for i in range(count):
    ns = f"tenant-{i // 20:04d}"
    name = f"env-{i:05d}"
    ingress = {"host": f"{name}.{ns}.example.com",
               "tls": {"secretName": f"{name}-tls"} if i % 2 else {"certResolver": "letsencrypt"}}
    if i % 3 == 0:
        ingress["aliases"] = [f"www.{name}.example.org"]
    if i % 4:
        ingress["adminAllowlist"] = [f"10.{i % 256}.0.0/16", "2001:db8:%x::/48" % (i % 65536)]
    if i % 5 == 0:
        ingress["loginRateLimit"] = {"average": 10, "period": "30s", "burst": 20}
        ingress["clientIPDepth"] = 1
    items.append({
        "apiVersion": "odooguard.io/v1alpha1", "kind": "OdooEnvironment",
        "metadata": {"name": name, "namespace": ns, "uid": f"00000000-0000-4000-8000-{i:012d}"},
        "spec": {"version": f"{15 + i % 4}.0", "tier": "shared" if i % 2 else "dedicated", "stage": "production",
                 "replicas": 1 + i % 4, "redis": {"enabled": i % 3 == 0}, "ingress": ingress},
    })
with open(out, "w") as f:
    if as_json:
        json.dump({"apiVersion": "v1", "kind": "List", "items": items}, f)
    else:
        for item in items:
            f.write("---\n" + json.dumps(item) + "\n")
