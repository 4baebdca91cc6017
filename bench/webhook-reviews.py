#!/usr/bin/env python3
"""Writes the benchmark's AdmissionReview bodies: a Deployment with 3 containers, a Pod and an
OdooEnvironment, built from the compliant examples. Usage: webhook-reviews.py OUT_DIR"""
import copy, json, os, sys, uuid
import yaml

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
out = sys.argv[1]

def load(path, kind):
    for doc in yaml.safe_load_all(open(os.path.join(root, path))):
        if doc and doc.get("kind") == kind:
            return doc
    raise SystemExit("no %s in %s" % (kind, path))

deployment = load("examples/compliant/odoo-web.yaml", "Deployment")
containers = deployment["spec"]["template"]["spec"]["containers"]
for name in ("metrics-exporter", "log-shipper"):
    sidecar = copy.deepcopy(containers[0])
    sidecar["name"] = name
    sidecar.pop("ports", None)
    sidecar["args"] = ["--%s" % name]
    containers.append(sidecar)

pod = {
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "clinic-shell", "namespace": "clinic-prod", "labels": {"app.kubernetes.io/name": "odoo-shell"}},
    "spec": {"containers": [{"name": "shell", "image": containers[0]["image"], "args": ["shell"],
                             "resources": {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"memory": "512Mi"}}}]},
}
environment = load("examples/compliant/odooenvironment.yaml", "OdooEnvironment")

def review(obj, group, version, resource):
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
        "uid": str(uuid.uuid4()), "kind": {"group": group, "version": version, "kind": obj["kind"]},
        "resource": {"group": group, "version": version, "resource": resource},
        "name": obj["metadata"]["name"], "namespace": obj["metadata"].get("namespace", "clinic-prod"), "operation": "CREATE",
        "userInfo": {"username": "system:serviceaccount:clinic-prod:deployer", "groups": ["system:serviceaccounts", "system:authenticated"]},
        "object": obj, "oldObject": None, "dryRun": False}}

bodies = {
    "deployment.json": review(deployment, "apps", "v1", "deployments"),
    "pod.json": review(pod, "", "v1", "pods"),
    "odooenvironment.json": review(environment, "odooguard.io", "v1alpha1", "odooenvironments"),
}
os.makedirs(out, exist_ok=True)
for name, body in bodies.items():
    with open(os.path.join(out, name), "w") as f:
        json.dump(body, f, separators=(",", ":"))
    print("%s: %d bytes" % (name, os.path.getsize(os.path.join(out, name))))
