"""How many create calls per second the sandbox answers on loopback, with no injected latency.

Starts `importer sandbox --port 0` in a subprocess (the server has its own interpreter, as in a
rehearsal), logs in, then runs client processes, each with a few threads that each hold a
keep-alive requests.Session and send product-price-create calls with distinct keys. Prints, per
run, the calls per second (wall clock, all clients together) and the server process's CPU time
per call (from /proc, Linux), i.e. how many calls one core of the server could answer: on a small
machine the clients share the cores with the server, so the first number is a lower bound.
Every call must answer 200.

    python bench/bench_sandbox.py [--calls 8000] [--processes 2] [--threads 3] [--runs 3]
                                  [--client requests|http.client]
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import threading
import time

import requests

PRICE_PATH = "/api/product-price-create"
AUTH = {"DATA_SOURCE": "DEMO", "USER_NAME": "APIUSER", "PASSWORD": "sandbox"}


def start_server() -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-m", "importer", "sandbox", "--port", "0"],
                            stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    match = re.search(r"http://[\d.]+:\d+", line)
    if not match:
        proc.kill()
        raise SystemExit(f"The sandbox did not start: {line!r}")
    return proc, match.group(0)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc), 0.0 elsewhere."""
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def payload(token: str, prefix: str, i: int) -> dict:
    return {"AUTH_TOKEN": token, "PART_ID": "PUMP002", "PRICE_CODE": prefix,
            "EFFECTIVE_DATE": "2030-01-01", "ORDER_QTY": str(i), "CURR_CODE": "USD",
            "SO_UNIT_PRICE": "10.50", "NOTES": "benchmark"}


def requests_client(url: str, token: str, prefix: str, calls: int, bad: list) -> None:
    session = requests.Session()
    session.trust_env = False  # loopback: skip the proxy/netrc look-ups requests does per call
    for i in range(calls):
        response = session.post(url + PRICE_PATH, json=payload(token, prefix, i), timeout=30)
        if response.status_code != 200:
            bad.append(response.status_code)


def stdlib_client(url: str, token: str, prefix: str, calls: int, bad: list) -> None:
    """The same calls with http.client: a lighter client, so the server is closer to the limit."""
    host, port = url.rsplit("/", 1)[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    headers = {"Content-Type": "application/json"}
    for i in range(calls):
        conn.request("POST", PRICE_PATH, json.dumps(payload(token, prefix, i)), headers)
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            bad.append(response.status)
    conn.close()


CLIENTS = {"requests": requests_client, "http.client": stdlib_client}


def client_main(kind: str, url: str, token: str, prefix: str, threads: int, calls: int) -> None:
    """One client process: `threads` threads sharing `calls`; prints the failures count."""
    bad: list[int] = []
    workers = [threading.Thread(target=CLIENTS[kind],
                                args=(url, token, f"{prefix}T{t}", calls // threads, bad))
               for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    print(len(bad))


def children_cpu() -> float:
    """CPU seconds of the finished (waited-for) child processes: the clients, not the server."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def one_run(url: str, pid: int, run_no: int, args) -> tuple[float, float, float]:
    token = requests.post(url + "/api/auth-token-get", json=AUTH, timeout=10).json()["AUTH_TOKEN"]
    per_process = args.calls // args.processes
    per_process -= per_process % args.threads
    cpu_before, clients_before, start = cpu_seconds(pid), children_cpu(), time.perf_counter()
    clients = [subprocess.Popen([sys.executable, __file__, "--as-client", args.client, url, token,
                                 f"B{os.getpid()}R{run_no}P{p}", str(args.threads),
                                 str(per_process)], stdout=subprocess.PIPE, text=True)
               for p in range(args.processes)]
    failures = sum(int(c.communicate()[0].strip() or "1") for c in clients)
    elapsed, cpu = time.perf_counter() - start, cpu_seconds(pid) - cpu_before
    client_cpu = children_cpu() - clients_before
    if failures:
        raise SystemExit(f"{failures} calls did not answer 200.")
    calls = per_process * args.processes
    return calls / elapsed, cpu / calls * 1000, client_cpu / calls * 1000


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--as-client":
        kind, url, token, prefix, threads, calls = sys.argv[2:8]
        client_main(kind, url, token, prefix, int(threads), int(calls))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=8000, help="create calls per run")
    parser.add_argument("--processes", type=int, default=2, help="client processes")
    parser.add_argument("--threads", type=int, default=3, help="threads per client process")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--client", choices=sorted(CLIENTS), default="requests",
                        help="HTTP client of the client threads (default: requests.Session)")
    parser.add_argument("--quick", action="store_true", help="1,000 calls, one run (a smoke test)")
    args = parser.parse_args()
    if args.quick:
        args.calls, args.runs = 1000, 1
    print(f"## Sandbox capacity (create calls/s, no injected latency, {args.client} clients)\n")
    proc, url = start_server()
    try:
        rates, costs = [], []
        for run_no in range(1, args.runs + 1):
            rate, ms, client_ms = one_run(url, proc.pid, run_no, args)
            rates.append(rate)
            costs.append(ms)
            print(f"- run {run_no}: {rate:,.0f} create calls/s; CPU per call: server {ms:.3f} ms, "
                  f"clients {client_ms:.3f} ms ({args.client}, {args.processes} processes x "
                  f"{args.threads} threads, {args.calls} calls)", flush=True)
        ms = statistics.median(costs)
        capacity = f"{1000 / ms:,.0f}" if ms else "n/a"
        print(f"- **median: {statistics.median(rates):,.0f} create calls/s** (target >= 1,000); server CPU {ms:.3f} ms "
              f"per call (one server core: ~{capacity} calls/s); load average "
              f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main()
