#!/usr/bin/env python3
"""Starts a server command and prints the milliseconds until GET /healthz over TLS answers 200.
Usage: webhook-ready.py PORT -- COMMAND...  (the server keeps running; its pid is printed second)"""
import http.client, ssl, subprocess, sys, time

port = int(sys.argv[1])
command = sys.argv[sys.argv.index("--") + 1:]
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
start = time.monotonic()
process = subprocess.Popen(command, stdout=open("/tmp/odoo-guard-bench-server.log", "ab"), stderr=subprocess.STDOUT)
while True:
    if process.poll() is not None:
        raise SystemExit("server exited with %d" % process.returncode)
    try:
        connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=1)
        connection.request("GET", "/healthz")
        if connection.getresponse().status == 200:
            break
    except OSError:
        pass
    time.sleep(0.002)
print("%.1f %d" % ((time.monotonic() - start) * 1000, process.pid))
