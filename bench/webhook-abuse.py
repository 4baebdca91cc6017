#!/usr/bin/env python3
"""Abusive clients against a running guard-webhook on loopback (issue #19), bounded in count and time.

    python3 bench/webhook-abuse.py PORT [FLOOD]

1. FLOOD silent TCP connections from 127.0.0.1 (default 1,023), held until the server closes them;
2. meanwhile, 50 requests from 127.0.0.2 (another source): how many were answered, and how fast;
3. a head trickled at 1 byte/s, and a silent TLS connection: when the server cut them;
4. how many of the flood's connections the per-source cap closed at once (the server's metric), and
   how long the others were held (until the handshake or request deadline).
Prints one JSON object. Stops by itself within about a minute.
"""
import json, socket, ssl, sys, threading, time

port = int(sys.argv[1])
flood_count = int(sys.argv[2]) if len(sys.argv) > 2 else 1023
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
result = {}


def held(sock, started, limit=60):
    sock.settimeout(limit)
    try:
        while sock.recv(4096):
            pass
    except (OSError, ssl.SSLError):
        pass
    return time.monotonic() - started


def trickle():
    started = time.monotonic()
    sock = context.wrap_socket(socket.create_connection(("127.0.0.1", port)))
    try:
        for byte in b"POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}":
            sock.send(bytes([byte]))
            time.sleep(1)
    except (OSError, ssl.SSLError):
        pass
    result["trickleCutSeconds"] = round(time.monotonic() - started, 2)


def silent_tls():
    started = time.monotonic()
    sock = context.wrap_socket(socket.create_connection(("127.0.0.1", port)))
    result["silentTLSCutSeconds"] = round(held(sock, started), 2)


def refused_so_far():
    """The server's count of connections closed by the per-source cap (its /metrics, from 127.0.0.2)."""
    sock = context.wrap_socket(socket.create_connection(("127.0.0.1", port), source_address=("127.0.0.2", 0), timeout=5))
    sock.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    for line in data.decode().splitlines():
        if line.startswith('odoo_guard_http_rejections_total{reason="source_connection_limit"}'):
            return int(float(line.split()[-1]))
    return 0


refused_before = refused_so_far()
threads = [threading.Thread(target=trickle), threading.Thread(target=silent_tls)]
for t in threads:
    t.start()

flood, opened_at = [], []
for _ in range(flood_count):
    try:
        flood.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        opened_at.append(time.monotonic())
    except OSError:
        break
result["floodOpened"] = len(flood)
result["floodOpenSeconds"] = round(opened_at[-1] - opened_at[0], 2) if opened_at else None
holds = [None] * len(flood)


def watch(i, sock):
    holds[i] = held(sock, opened_at[i])


watchers = [threading.Thread(target=watch, args=(i, s)) for i, s in enumerate(flood)]
for w in watchers:
    w.start()

latencies, answered = [], 0
for _ in range(50):
    started = time.monotonic()
    try:
        other = context.wrap_socket(socket.create_connection(("127.0.0.1", port), source_address=("127.0.0.2", 0), timeout=5))
        other.settimeout(5)
        other.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        if other.recv(64).startswith(b"HTTP/1.1 200"):
            answered += 1
            latencies.append((time.monotonic() - started) * 1000)
        other.close()
    except OSError:
        pass
latencies.sort()
result["otherSourceAnswered"] = "%d/50" % answered
result["otherSourceMsP50"] = round(latencies[len(latencies) // 2], 1) if latencies else None
result["otherSourceMsMax"] = round(latencies[-1], 1) if latencies else None

for w in watchers:
    w.join()
for t in threads:
    t.join()
done = sorted(h for h in holds if h is not None)
result["floodRefusedBySourceCap"] = refused_so_far() - refused_before
result["floodHeldMaxSeconds"] = round(done[-1], 2) if done else None
print(json.dumps(result))
