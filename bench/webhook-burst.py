#!/usr/bin/env python3
"""A burst of large AdmissionReviews against a running guard-webhook (issue #33), bounded in count and time.

    python3 bench/webhook-burst.py PORT PID [COUNT] [MEGABYTES]

COUNT (default 100) concurrent /validate requests, each on its own TLS connection, each a production
Deployment of about MEGABYTES (default 5) MB: 100 containers with literal credentials in their env,
so every rule has work and the caps have findings to cut. The server's RSS (/proc/PID/status) is
sampled every 50 ms during the burst and for 20 s after it. Prints one JSON object: statuses, the
largest answer, wall time, RSS before, peak (VmHWM), at the end of the burst and 5, 10 and 20 s
later. Stops by itself (each request times out after 120 s).
"""
import http.client, json, ssl, sys, threading, time

port, pid = int(sys.argv[1]), int(sys.argv[2])
count = int(sys.argv[3]) if len(sys.argv) > 3 else 100
megabytes = float(sys.argv[4]) if len(sys.argv) > 4 else 5.0
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE


def status_kib(field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def body(index):
    per_container = int(megabytes * 1_000_000 / 100 / 44)
    containers = [{"name": "c%d" % c, "image": "registry.example.com/odoo/odoo:17.0",
                   "env": [{"name": "DB_PASSWORD_%05d" % e, "value": "hunter2-%05d" % e} for e in range(per_container)]}
                  for c in range(100)]
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web-%d" % index, "namespace": "clinic-prod"},
                  "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                           "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": containers}}}}
    review = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
              "request": {"uid": "burst-%d" % index, "kind": {"group": "apps", "version": "v1", "kind": "Deployment"},
                          "resource": {"group": "apps", "version": "v1", "resource": "deployments"},
                          "name": "web-%d" % index, "namespace": "clinic-prod", "operation": "CREATE",
                          "userInfo": {"username": "alice", "groups": ["system:authenticated"]}, "object": deployment}}
    return json.dumps(review).encode()


payload = body(0)
results = []
lock = threading.Lock()


def send(index):
    started = time.monotonic()
    try:
        connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=120)
        connection.request("POST", "/validate", body=payload, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        answer = response.read()
        outcome = (response.status, len(answer), time.monotonic() - started)
    except Exception as error:  # a refused or cut connection is a result too
        outcome = (type(error).__name__, 0, time.monotonic() - started)
    with lock:
        results.append(outcome)


samples = []
stop = threading.Event()


def sample():
    while not stop.is_set():
        samples.append((time.monotonic(), status_kib("VmRSS")))
        time.sleep(0.05)


before = status_kib("VmRSS")
sampler = threading.Thread(target=sample)
sampler.start()
start = time.monotonic()
threads = [threading.Thread(target=send, args=(i,)) for i in range(count)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
burst = time.monotonic() - start
end_rss = status_kib("VmRSS")
after = {}
for mark in (5, 10, 20):
    time.sleep(mark - (time.monotonic() - start - burst))
    after["%ds" % mark] = round(status_kib("VmRSS") / 1024, 1)
stop.set()
sampler.join()
statuses = {}
for status, _, _ in results:
    statuses[str(status)] = statuses.get(str(status), 0) + 1
print(json.dumps({
    "requests": count, "request_bytes": len(payload), "statuses": statuses,
    "largest_answer_bytes": max(size for _, size, _ in results),
    "slowest_s": round(max(seconds for _, _, seconds in results), 2), "burst_s": round(burst, 2),
    "rss_before_mib": round(before / 1024, 1), "rss_peak_sampled_mib": round(max(kib for _, kib in samples) / 1024, 1),
    "vmhwm_mib": round(status_kib("VmHWM") / 1024, 1), "rss_end_of_burst_mib": round(end_rss / 1024, 1),
    "rss_after_mib": after,
}))
