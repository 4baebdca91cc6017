#!/usr/bin/env python3
"""Writes small OCI layouts for e2e/run, to be pushed with skopeo:

  oci-layout.py image DIR SEED                      a one-layer image; prints its digest
  oci-layout.py scan DIR KEY.pem DIGEST REPO CVE SEVERITY DAYS_AGO
                                                    a cosign vulnerability-scan attestation artefact for
                                                    DIGEST (one Trivy finding, or none when CVE is "-"),
                                                    signed as `cosign attest --key` does: ECDSA P-256
                                                    (openssl) over the DSSE pre-authentication encoding
"""
import base64, datetime, hashlib, json, os, subprocess, sys


def blob(root, data):
    digest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(root, "blobs", "sha256", digest), "wb") as out:
        out.write(data)
    return {"digest": "sha256:" + digest, "size": len(data)}


def layout(root, layers, config):
    os.makedirs(os.path.join(root, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(root, "oci-layout"), "w") as out:
        out.write('{"imageLayoutVersion":"1.0.0"}')
    descriptors = []
    for data, media_type, annotations in layers:
        descriptor = dict(blob(root, data), mediaType=media_type)
        if annotations:
            descriptor["annotations"] = annotations
        descriptors.append(descriptor)
    config_descriptor = dict(blob(root, json.dumps(config).encode()), mediaType="application/vnd.oci.image.config.v1+json")
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": config_descriptor, "layers": descriptors}
    top = dict(blob(root, json.dumps(manifest).encode()), mediaType="application/vnd.oci.image.manifest.v1+json")
    with open(os.path.join(root, "index.json"), "w") as out:
        json.dump({"schemaVersion": 2, "manifests": [top]}, out)
    return top["digest"]


def image(root, seed):
    layer = ("odoo-guard e2e image " + seed + "\n").encode()
    config = {"architecture": "amd64", "os": "linux",
              "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(layer).hexdigest()]}}
    print(layout(root, [(layer, "application/vnd.oci.image.layer.v1.tar", None)], config))


def scan(root, key, digest, repository, cve, severity, days_ago):
    finished = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=float(days_ago))).strftime("%Y-%m-%dT%H:%M:%SZ")
    findings = [] if cve == "-" else [{"VulnerabilityID": cve, "PkgName": "openssl", "InstalledVersion": "3.0.11-1",
                                       "FixedVersion": "3.0.13-1", "Severity": severity}]
    statement = {"_type": "https://in-toto.io/Statement/v0.1", "predicateType": "https://cosign.sigstore.dev/attestation/vuln/v1",
                 "subject": [{"name": repository, "digest": {"sha256": digest.split(":", 1)[1]}}],
                 "predicate": {"scanner": {"uri": "pkg:github/aquasecurity/trivy", "version": "0.58.1",
                                           "result": {"SchemaVersion": 2, "Results": [{"Target": "odoo", "Vulnerabilities": findings}]}},
                               "metadata": {"scanStartedOn": finished, "scanFinishedOn": finished}}}
    payload = json.dumps(statement).encode()
    payload_type = "application/vnd.in-toto+json"
    pae = b"DSSEv1 %d %s %d %s" % (len(payload_type), payload_type.encode(), len(payload), payload)
    signature = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=pae, capture_output=True, check=True).stdout
    envelope = {"payloadType": payload_type, "payload": base64.b64encode(payload).decode(),
                "signatures": [{"keyid": "", "sig": base64.b64encode(signature).decode()}]}
    annotations = {"dev.cosignproject.cosign/signature": "", "predicateType": statement["predicateType"]}
    layer = json.dumps(envelope).encode()
    config = {"architecture": "", "os": "", "config": {},
              "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(layer).hexdigest()]}}
    layout(root, [(layer, "application/vnd.dsse.envelope.v1+json", annotations)], config)


if __name__ == "__main__":
    if sys.argv[1] == "image":
        image(sys.argv[2], sys.argv[3])
    else:
        scan(*sys.argv[2:9])
