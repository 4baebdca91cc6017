#!/usr/bin/env python3
"""Writes the fuzzers' seed corpus and the reliability probe's reproducers into fuzz/corpus.

Seeds: every example manifest, as a YAML stream (manifest/) and, per document, as an
AdmissionReview CREATE (review/). Reproducers: the inputs that crashed or stalled the webhook
before issue #19, and the shapes, inconsistent reviews and amplifying answers of issue #33
(review/repro-*, manifest/repro-*). Run from the repository root:
    python3 fuzz/make-seeds.py
"""
import copy, glob, json, os, yaml

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
out = os.path.join(root, "fuzz", "corpus")
os.makedirs(os.path.join(out, "review"), exist_ok=True)
os.makedirs(os.path.join(out, "manifest"), exist_ok=True)


def review(obj, uid="seed", operation="CREATE", old=None):
    api = obj.get("apiVersion", "v1") if isinstance(obj, dict) else "v1"
    group, _, version = api.rpartition("/")
    kind = obj.get("kind", "") if isinstance(obj, dict) else ""
    request = {"uid": uid, "kind": {"group": group, "version": version, "kind": kind},
               "resource": {"group": group, "version": version, "resource": kind.lower() + "s"},
               "namespace": "clinic", "operation": operation,
               "userInfo": {"username": "alice", "groups": ["system:authenticated"]}, "object": obj}
    if old is not None:
        request["oldObject"] = old
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request}


def write(folder, name, data):
    with open(os.path.join(out, folder, name), "w" if isinstance(data, str) else "wb") as f:
        f.write(data)


count = 0
for path in sorted(glob.glob(os.path.join(root, "examples", "**", "*.yaml"), recursive=True)):
    text = open(path).read()
    stem = os.path.relpath(path, os.path.join(root, "examples")).replace("/", "_")[:-5]
    write("manifest", "seed-" + stem + ".yaml", text)
    for i, doc in enumerate(d for d in yaml.safe_load_all(text) if d):
        write("review", "seed-%s-%d.json" % (stem, i), json.dumps(review(doc), sort_keys=True))
        count += 1

deployment = {
    "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "clinic"},
    "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
             "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [
                 {"name": "web", "image": "registry.example.com/odoo/odoo:17.0@sha256:" + "ab" * 32,
                  "resources": {"requests": {"cpu": "250m", "memory": "512Mi"}, "limits": {"memory": "1Gi"}}}]}}}}


def variant(edit):
    d = copy.deepcopy(deployment)
    edit(d)
    return d


def container(d):
    return d["spec"]["template"]["spec"]["containers"][0]


# Quantities that trapped on integer overflow (SIGILL), in every place a quantity is read.
for i, q in enumerate(["99999999999999999999Ti", "99999999999999999999Ei", "340282366920938463463374607431768211455Ki",
                       "1329227995784915872903807060280344576Pi", "9" * 40 + "Mi"]):
    write("review", "repro-quantity-limit-%d.json" % i, json.dumps(review(variant(lambda d: container(d)["resources"]["limits"].update(memory=q)))))
    write("review", "repro-quantity-request-%d.json" % i, json.dumps(review(variant(lambda d: container(d)["resources"]["requests"].update(cpu=q)))))
    write("manifest", "repro-policy-quantity-%d.yaml" % i,
          "apiVersion: odooguard.io/v1alpha1\nkind: GuardPolicy\nmetadata: {name: p}\nspec:\n  tiers: {shared: {maximum: {memory: %s}}}\n" % q)
    write("manifest", "repro-environment-quantity-%d.yaml" % i,
          "apiVersion: odooguard.io/v1alpha1\nkind: OdooEnvironment\nmetadata: {name: clinic, namespace: clinic}\n"
          "spec: {version: '17.0', tier: shared, stage: production, resources: {limits: {memory: %s}}, filestore: {size: %s},\n"
          "  ingress: {host: clinic.example.com, tls: {secretName: t}}}\n" % (q, q))
# Percentages whose product with the replica count overflowed.
write("review", "repro-pdb-percent.json", json.dumps(review({
    "apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "web", "namespace": "clinic"},
    "spec": {"minAvailable": "9223372036854775807%", "selector": {"matchLabels": {"app": "web"}}}})))
write("manifest", "repro-pdb-percent.yaml", yaml.safe_dump_all([
    variant(lambda d: d["spec"].update(replicas=9223372036854775807)),
    {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "web", "namespace": "clinic"},
     "spec": {"minAvailable": "9223372036854775807%", "selector": {"matchLabels": {"app": "web"}}}}]))
# The quadratic stall: 8,000 init containers (0.5 MB).
write("review", "repro-8000-init-containers.json", json.dumps(review(variant(lambda d: d["spec"]["template"]["spec"].update(
    initContainers=[{"name": "i%d" % n, "image": "evil.example.com/x:latest"} for n in range(8000)])))))
# Fail-open shapes: containers as an object, hiding a foreign image and a literal password.
write("review", "repro-containers-object.json", json.dumps(review(variant(lambda d: d["spec"]["template"]["spec"].update(
    containers={"name": "x", "image": "evil.example.com/x:latest", "env": [{"name": "DB_PASSWORD", "value": "hunter2"}]})))))
# A uid with a lone surrogate (echoed changed before).
write("review", "repro-surrogate-uid.json", json.dumps(review(deployment), ensure_ascii=True).replace('"uid": "seed"', '"uid": "\\ud800"'))


# Issue #33: shapes that were allowed in a production namespace, reviews that meant two things, and
# answers that multiplied their request.
def without(path):
    def edit(d):
        *parents, last = path.split(".")
        for key in parents:
            d = d[key]
        del d[last]
    return edit


def setting(path, value):
    def edit(d):
        *parents, last = path.split(".")
        for key in parents:
            d = d[key]
        d[last] = value
    return edit


latest = variant(lambda d: container(d).update(image="registry.example.com/odoo/odoo:latest"))
for name, edit in [("template-spec-null", setting("spec.template.spec", None)), ("containers-null", setting("spec.template.spec.containers", None)),
                   ("containers-absent", without("spec.template.spec.containers")), ("template-absent", without("spec.template"))]:
    d = copy.deepcopy(latest)
    edit(d)
    write("review", "repro-%s.json" % name, json.dumps(review(d)))
    write("manifest", "repro-%s.yaml" % name, yaml.safe_dump(d))
for name, edit in [("no-namespace", lambda r: r["request"].pop("namespace")), ("numeric-namespace", lambda r: r["request"].update(namespace=42)),
                   ("kind-mismatch", lambda r: r["request"].update(object={"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "clinic"}})),
                   ("subresource-dotdot", lambda r: r["request"].update(subResource="../status"))]:
    r = review(latest)
    edit(r)
    write("review", "repro-%s.json" % name, json.dumps(r))
write("review", "repro-long-name-findings.json", json.dumps(review(variant(lambda d: d["spec"]["template"]["spec"].update(containers=[
    {"name": "n" * 10000 + str(n), "image": "registry.example.com/odoo/odoo:17.0",
     "env": [{"name": "DB_PASSWORD_%d" % e, "value": "hunter2"} for e in range(300)]} for n in range(3)])))))
approval = {"apiVersion": "odooguard.io/v1alpha1", "kind": "ChangeApproval", "metadata": {"name": "chg-7", "namespace": "clinic"},
            "spec": {"changeRef": "CHG-7", "target": {"environment": "clinic"}, "reason": "r", "expiresAt": "2027-01-01T00:00:00Z"}}
r = review(approval)
r["request"]["userInfo"]["groups"] = ["odooguard:change-approvers"] + ["group-%d" % n for n in range(5000)]
write("review", "repro-approver-groups.json", json.dumps(r))
print("%d review seeds, reproducers written to %s" % (count, out))
