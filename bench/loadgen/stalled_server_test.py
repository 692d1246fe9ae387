#!/usr/bin/env python3
"""stalled_server_test.py LOADGEN — callgate-loadgen against a server that never answers.

A listener on 127.0.0.1 port 0 accepts every connection and never reads or writes. Each run
must end about a timeout or two after its load (open loop: not one timeout per scheduled
request), count every measured request as an error, and report the duration (-d) as the
measured time. The runs go side by side (a few seconds in all); an https:// URL on the same
listener gives TLS handshakes that time out. Prints one line per check; exits 1 on a failure.
"""
import json
import socket
import subprocess
import sys
import threading
import time

TIMEOUT = 0.5  # --timeout of every run
SLACK = 3.0  # seconds allowed beyond the expected end, for a busy machine


def silent_listener():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    held = []

    def accept():
        while True:
            held.append(listener.accept()[0])

    threading.Thread(target=accept, daemon=True).start()
    return listener.getsockname()[1]


def main():
    loadgen = sys.argv[1]
    port = silent_listener()
    common = ["--json", "--warmup", "0", "--timeout", str(TIMEOUT), "-c", "2"]
    # name: (arguments, URL scheme, the latest expected end in seconds after the start)
    runs = {
        "open loop -d": (["-d", "1", "-R", "200"], "http", 1 + 2 * TIMEOUT),
        "open loop -n": (["-n", "200", "-R", "200"], "http", 1 + 2 * TIMEOUT),
        "open loop -d, TLS": (["-d", "1", "-R", "200"], "https", 1 + 2 * TIMEOUT),
        "closed loop -d": (["-d", "1"], "http", 1 + TIMEOUT),
    }
    results = {}

    def run(name, args, scheme, limit):
        command = [loadgen, *common, *args, f"{scheme}://127.0.0.1:{port}/curri"]
        start = time.monotonic()
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True)
        try:
            out, err = process.communicate(timeout=limit + 5)
        except subprocess.TimeoutExpired:
            process.kill()
            out, err = process.communicate()
        results[name] = (time.monotonic() - start, process.returncode, out, err)

    threads = [threading.Thread(target=run, args=(name, args, scheme, end + SLACK))
               for name, (args, scheme, end) in runs.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    failed = 0

    def check(name, ok, detail):
        nonlocal failed
        failed += 0 if ok else 1
        print(f"{'ok  ' if ok else 'FAIL'} {name}: {detail}")

    for name, (wall, returncode, out, err) in results.items():
        limit = runs[name][2] + SLACK
        check(name, wall <= limit, f"ended after {wall:.2f} s (limit {limit:.1f} s)")
        try:
            report = json.loads(out)
        except ValueError:
            check(name, False, f"no JSON report: {out!r} {err!r}")
            continue
        check(name, returncode == 1, f"exit status {returncode} (1: none succeeded)")
        counts = {k: report.get(k) for k in ("requests", "ok", "errors", "timeouts", "unsent")}
        if "open loop" in name:
            # Every one of the 200 scheduled requests is accounted for: a few timed out on the
            # wire, the rest were given up unsent.
            good = (counts["requests"] == 200 and counts["errors"] == 200
                    and counts["timeouts"] >= 2 and counts["unsent"] >= 100
                    and counts["timeouts"] + counts["unsent"] == 200)
        else:
            good = (counts["requests"] >= 2 and counts["errors"] == counts["requests"]
                    and counts["timeouts"] == counts["requests"] and counts["unsent"] == 0)
        check(name, good, f"counts {counts}")
        if "-d" in runs[name][0]:
            check(name, abs(report["seconds"] - 1) < 0.002,
                  f"{report['seconds']} s measured (the duration)")
    print(f"{len(results)} runs, {failed} failed checks")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
