#!/usr/bin/env python3
"""Remove 300 members through a gateway limited to 600 mutating requests a minute.

Runs the emulator (`wamod sim`, v1 dialect, the `large` world) with that limit, then:

1. `wamod remove` with the 300 targets, paced at 600 a minute (one request every 100 ms):
   the bound is 300 / 600 min = 30 s; wamod should finish within 5 % of it with no
   failed target.
2. A plain parallel curl loop (`xargs -P N curl -X DELETE …`, no pacing, no retries)
   against a fresh emulator with the same limit, as a script written in a hurry would do.

Both are timed from start to last answer; failed targets are counted from what each
reports (wamod's --json outcomes; curl's HTTP status). Prints a Markdown table and writes
JSON (`--json PATH`).

Usage: python3 bench/remove_300.py [--binary .build/release/wamod] [--targets 300]
       [--rate 600] [--burst 1] [--parallel 16] [--runs 3]
"""
import argparse
import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sim:
    """The emulator on a free loopback port with a fresh world."""

    def __init__(self, binary, rate, burst):
        self.token = secrets.token_hex(16)
        self.port = free_port()
        env = dict(os.environ, WAMOD_SIM_TOKEN=self.token)
        self.proc = subprocess.Popen(
            [binary, "sim", "--dialect", "v1", "--fixture", "large", "--port", str(self.port),
             "--rate", str(rate), "--burst", str(burst)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise SystemExit("the emulator did not start")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def wamod(binary, sim, args, audit_dir):
    env = dict(os.environ, WAMOD_TOKEN=sim.token, WAMOD_CONFIG="/nonexistent",
               WAMOD_AUDIT=os.path.join(audit_dir, "audit.jsonl"))
    return subprocess.run([binary] + args + ["--gateway", sim.url, "--dialect", "v1"],
                          env=env, capture_output=True, text=True)


def pick_targets(binary, sim, count, audit_dir):
    """The first connected session, its largest group, and `count` plain members of it."""
    sessions = json.loads(wamod(binary, sim, ["sessions", "--json"], audit_dir).stdout)["sessions"]
    session = next(s for s in sessions if s.get("connected"))
    groups = json.loads(wamod(binary, sim, ["groups", session["id"], "--json"], audit_dir).stdout)["groups"]
    group = max(groups, key=lambda g: g.get("size") or 0)
    members = json.loads(wamod(binary, sim, ["members", session["id"], group["jid"], "--json"], audit_dir).stdout)["participants"]
    plain = [m["id"] for m in members if m["role"] == "member" and m.get("phone")]
    if len(plain) < count:
        raise SystemExit(f"the largest group has only {len(plain)} plain members")
    return session, group, plain[:count]


def run_wamod(binary, rate, burst, count):
    sim = Sim(binary, rate, burst)
    audit_dir = tempfile.mkdtemp(prefix="wamod-bench-")
    try:
        session, group, targets = pick_targets(binary, sim, count, audit_dir)
        start = time.monotonic()
        r = wamod(binary, sim, ["remove", session["id"], group["jid"]] + targets +
                  ["--yes", "--json", "--pace", str(rate)], audit_dir)
        elapsed = time.monotonic() - start
        out = json.loads(r.stdout)
        rows = out["results"]
        failed = sum(1 for x in rows if x["outcome"] not in ("done", "already"))
        retried = sum(1 for line in r.stderr.splitlines() if line.startswith("waiting") and "retry" in line)
        return {"tool": "wamod", "seconds": elapsed, "targets": len(rows), "failed": failed,
                "exit": r.returncode, "retries_reported": retried}
    finally:
        sim.stop()
        shutil.rmtree(audit_dir, ignore_errors=True)


def run_curl(binary, rate, burst, count, parallel):
    sim = Sim(binary, rate, burst)
    audit_dir = tempfile.mkdtemp(prefix="wamod-bench-")
    try:
        session, group, targets = pick_targets(binary, sim, count, audit_dir)
        base = f"{sim.url}/api/v1/sessions/{session['id']}/groups/{urllib.parse.quote(group['jid'])}/members/"
        urls = "\n".join(base + urllib.parse.quote(t) for t in targets) + "\n"
        # The token goes through a header file, never the command line.
        header = os.path.join(audit_dir, "auth-header")
        with open(header, "w") as f:
            f.write(f"Authorization: Bearer {sim.token}\n")
        os.chmod(header, 0o600)
        cmd = ["xargs", "-P", str(parallel), "-n", "1",
               "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}\\n", "-X", "DELETE", "-H", f"@{header}"]
        start = time.monotonic()
        r = subprocess.run(cmd, input=urls, capture_output=True, text=True)
        elapsed = time.monotonic() - start
        codes = [c for c in r.stdout.split() if c]
        failed = sum(1 for c in codes if not c.startswith("2"))
        by_code = {}
        for c in codes:
            by_code[c] = by_code.get(c, 0) + 1
        return {"tool": f"curl, {parallel} in parallel", "seconds": elapsed, "targets": len(codes), "failed": failed,
                "status_codes": by_code}
    finally:
        sim.stop()
        shutil.rmtree(audit_dir, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=".build/release/wamod")
    ap.add_argument("--targets", type=int, default=300)
    ap.add_argument("--rate", type=int, default=600, help="the gateway's limit, mutating requests per minute")
    ap.add_argument("--burst", type=int, default=10, help="requests the gateway lets through at once before the rate applies")
    ap.add_argument("--parallel", type=int, default=16)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", default="bench/remove_300.json")
    a = ap.parse_args()
    if not shutil.which("curl"):
        raise SystemExit("curl is needed for the comparison (apt-get install curl)")
    bound = a.targets / a.rate * 60
    results = []
    for i in range(a.runs):
        w = run_wamod(a.binary, a.rate, a.burst, a.targets)
        print(f"run {i + 1}: wamod {w['seconds']:.2f} s, {w['failed']} failed", file=sys.stderr)
        c = run_curl(a.binary, a.rate, a.burst, a.targets, a.parallel)
        print(f"run {i + 1}: curl  {c['seconds']:.2f} s, {c['failed']} failed {c['status_codes']}", file=sys.stderr)
        results += [w, c]
    print(f"\n{a.targets} removals, gateway limited to {a.rate}/min (burst {a.burst}); bound {bound:.1f} s, "
          f"+5 % = {bound * 1.05:.1f} s; {a.runs} runs each\n")
    print("| tool | time (median, min–max) | every target done within the bound + 5 % | targets failed (per run) |")
    print("|---|---|---|---|")
    for tool in dict.fromkeys(r["tool"] for r in results):
        rs = [r for r in results if r["tool"] == tool]
        secs = [r["seconds"] for r in rs]
        within = all(r["seconds"] <= bound * 1.05 and r["failed"] == 0 for r in rs)
        print(f"| {tool} | {statistics.median(secs):.2f} s ({min(secs):.2f}–{max(secs):.2f}) | "
              f"{'yes' if within else 'no'} | {', '.join(str(r['failed']) for r in rs)} |")
    if a.json and a.json != "-":
        with open(a.json, "w") as f:
            json.dump({"targets": a.targets, "rate": a.rate, "burst": a.burst, "bound_seconds": bound, "runs": results}, f, indent=2)
    wamod_runs = [r for r in results if r["tool"] == "wamod"]
    ok = all(r["failed"] == 0 and r["seconds"] <= bound * 1.05 for r in wamod_runs)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
