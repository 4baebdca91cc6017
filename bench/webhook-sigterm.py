#!/usr/bin/env python3
"""SIGTERM under load (issue #19): requests on open keep-alive connections while guard-webhook shuts down.

    python3 bench/webhook-sigterm.py PORT PID [SECONDS_BEFORE_SIGTERM]

8 threads, each with one TLS keep-alive connection sending POST /validate (a ConfigMap review) in a
loop; SIGTERM goes to PID after 1 s. Counts answers before and after the signal, answers while /readyz
said 503, and requests that got no answer (sent, then the connection closed) before and after the
readiness flip was seen. A thread stops when its connection closes. Prints one JSON object.
"""
import json, os, signal, socket, ssl, sys, threading, time

port, pid = int(sys.argv[1]), int(sys.argv[2])
delay = float(sys.argv[3]) if len(sys.argv) > 3 else 1.0
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
body = json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
    "uid": "u", "kind": {"group": "", "version": "v1", "kind": "ConfigMap"}, "operation": "CREATE", "namespace": "clinic",
    "object": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "clinic"}}}}).encode()
request = b"POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
lock = threading.Lock()
counts = {"answeredBefore": 0, "answeredAfter": 0, "unansweredBefore": 0, "unansweredAfter": 0}
signalled = [None]


def one(sock):
    sock.sendall(request)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return False, False
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    closing = b"connection: close" in head.lower()
    length = int([l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0])
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            return False, False
        rest += chunk
    return head.startswith(b"HTTP/1.1 200"), closing


def connect():
    sock = context.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=5))
    sock.settimeout(10)
    return sock


def worker():
    # A well-behaved client: a response with Connection: close means reconnect; a refused connection
    # (the server no longer listens) ends the thread and is not a dropped request.
    sock = connect()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        after = signalled[0] is not None
        try:
            ok, closing = one(sock)
        except OSError:
            ok, closing = False, False
        with lock:
            counts[("answered" if ok else "unanswered") + ("After" if after else "Before")] += 1
            if closing:
                counts["reconnects"] = counts.get("reconnects", 0) + 1
        if not ok:
            return
        if closing:
            sock.close()
            try:
                sock = connect()
            except OSError:
                with lock:
                    counts["refusedAfterDrain"] = counts.get("refusedAfterDrain", 0) + 1
                return


threads = [threading.Thread(target=worker) for _ in range(8)]
for t in threads:
    t.start()
time.sleep(delay)
signalled[0] = time.monotonic()
os.kill(pid, signal.SIGTERM)
for t in threads:
    t.join()
counts["secondsServedAfterSIGTERM"] = round(time.monotonic() - signalled[0], 2)
print(json.dumps(counts))
