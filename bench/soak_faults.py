#!/usr/bin/env python3
"""Operations under faults: does wamod ever tell the operator something that is not so?

For each dialect asked (one emulator each, in parallel unless --serial):

1. Starts `wamod sim --dialect D --fixture large --port P --rate 60000 --burst 60000` with a
   random token, faults off. The limit is never reached, so only injected faults refuse
   requests; it is not `--rate 0` because an unlimited world keeps the fixture's advertised
   20 a minute (v1's `ratePerMin`), and wamod paces itself to what a session advertises
   (`--sim-rate 0` to see that).
2. Through the emulator's admin view (`/_sim/…`, which is not part of any gateway's API),
   takes the first session and its largest group (1,024 members), reads the members and
   keeps the removable ones: not the owner (superadmin), not the session's own account.
3. Switches faults on (`POST /_sim/faults`): by default 10 % 5xx, 5 % 429, 2 % connections
   reset without an answer, 1 % 200s with a body cut short (carried out or not), 1 % a
   proxy's HTML page, 1 % answers stalled 8 s (longer than the client's 5 s timeout).
4. Runs `wamod remove … --yes --json --pace 6000 --timeout 5` on all of them, with its own
   audit file (and journal beside it) in a temporary directory; then `wamod resume ID --yes
   --json` while a journal is left, up to --max-rounds rounds. With --kills N, the running
   wamod is killed with SIGKILL at a random moment, N times in all (then resumed).
5. Switches faults off, reads the final members and the ledger of effective changes from
   the admin view, and the audit file, and reports per dialect (see bench/README.md):
   rounds, targets without a final state, targets reported done but still present, targets
   reported refused but gone, duplicated effective changes, targets still present, requests
   that reached the emulator, wall time.

Prints a Markdown table and writes the figures as JSON (--json PATH). Exits 1 if any lie or
duplicate count is above 0, 2 if the benchmark itself could not run.

Build the binary first: `swift build -c release` (then the default --binary,
.build/release/wamod, is it).

Usage: python3 bench/soak_faults.py [--binary .build/release/wamod] [--sim-binary PATH]
       [--dialects v1,wasend,waha,wuts,wawp,evolution] [--serial] [--targets N]
       [--rates 5xx=0.1,429=0.05,reset=0.02,truncate=0.01,html=0.01,stall=0.01]
       [--stall-ms 8000] [--mutations-only] [--max-rounds 5] [--kills N] [--seed S]
       [--run-timeout 1200] [--json PATH] [--keep]
"""
import argparse
import glob
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

DIALECTS = ["v1", "wasend", "waha", "wuts", "wawp", "evolution"]
DEFAULT_RATES = "5xx=0.1,429=0.05,reset=0.02,truncate=0.01,html=0.01,stall=0.01"
RATE_NAMES = ["5xx", "429", "reset", "truncate", "html", "stall"]
FINAL = ("done", "already", "refused")
SAID_DONE = ("done", "already")


# Set when the run is interrupted: no further process is started.
STOPPING = threading.Event()


class BenchError(Exception):
    """The benchmark itself could not run (not a finding about the client)."""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def parse_rates(text):
    rates = {}
    for item in filter(None, (x.strip() for x in text.split(","))):
        name, sep, share = item.partition("=")
        name = name.strip().lower()
        if not sep or name not in RATE_NAMES:
            raise SystemExit(f"--rates: '{item}' is not name=share with a name among {', '.join(RATE_NAMES)}")
        try:
            value = float(share)
        except ValueError:
            raise SystemExit(f"--rates: the share of {name} is a number from 0 to 1, not '{share}'")
        if not 0 <= value <= 1:
            raise SystemExit(f"--rates: the share of {name} is from 0 to 1, not {value}")
        rates[name] = value
    return rates


def kill_group(proc):
    """SIGKILL to the process and its group (each wamod and sim runs in a group of its own)."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


class Sim:
    """`wamod sim` in one dialect on a free loopback port, with a fresh `large` world."""

    def __init__(self, binary, dialect, workdir, rate):
        self.dialect = dialect
        self.token = secrets.token_hex(16)
        self.log = open(os.path.join(workdir, "sim.log"), "w")
        self.proc = None
        for _ in range(5):  # another process may take the free port first
            if STOPPING.is_set():
                break
            self.port = free_port()
            self.url = f"http://127.0.0.1:{self.port}"
            env = dict(os.environ, WAMOD_SIM_TOKEN=self.token)
            self.proc = subprocess.Popen(
                [binary, "sim", "--dialect", dialect, "--fixture", "large", "--port", str(self.port),
                 "--rate", str(rate), "--burst", str(max(rate, 10))],
                env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and self.proc.poll() is None:
                try:
                    self.get("/_sim/faults", timeout=2)
                    return
                except (OSError, BenchError):
                    time.sleep(0.1)
            kill_group(self.proc)
        raise BenchError(f"the emulator ({dialect}) did not start; see {self.log.name}")

    def request(self, method, path, body=None, timeout=60):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Authorization", f"Bearer {self.token}")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return json.loads(r.read())
        except urllib.error.HTTPError as e:
            raise BenchError(f"{method} {path}: HTTP {e.code} {e.read()[:300]!r}")

    def get(self, path, timeout=60):
        return self.request("GET", path, timeout=timeout)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                kill_group(self.proc)
        self.log.close()


def read_audit(path):
    records = []
    if not os.path.exists(path):
        return records
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                try:
                    records.append(json.loads(line))
                except ValueError:
                    records.append({"type": "unreadable"})
    return records


class Soak:
    def __init__(self, args, dialect, log):
        self.a = args
        self.dialect = dialect
        self.log = log
        self.rng = random.Random(f"{args.seed}-{dialect}")
        self.workdir = tempfile.mkdtemp(prefix=f"wamod-soak-{dialect}-")
        self.audit = os.path.join(self.workdir, "audit.jsonl")
        self.journal = os.path.join(self.workdir, "journal")
        self.running = None
        self.sim = None

    def say(self, text):
        self.log(f"[{self.dialect}] {text}")

    def env(self, session):
        token = f"{session}:{self.sim.token}" if self.dialect == "wawp" else self.sim.token
        return dict(os.environ, WAMOD_TOKEN=token, WAMOD_CONFIG="/nonexistent", WAMOD_AUDIT=self.audit,
                    XDG_STATE_HOME=self.workdir, XDG_CONFIG_HOME=os.path.join(self.workdir, "config"))

    def gateway_args(self):
        return ["--gateway", self.sim.url, "--dialect", self.dialect]

    def run_wamod(self, args, session, round_no, kill):
        """One wamod run: its exit status, whether it was killed, whether it timed out."""
        out_path = os.path.join(self.workdir, f"round-{round_no}.out")
        err_path = os.path.join(self.workdir, f"round-{round_no}.err")
        with open(out_path, "w") as out, open(err_path, "w") as err:
            if STOPPING.is_set():
                raise BenchError("interrupted")
            self.running = subprocess.Popen([self.a.binary] + args, env=self.env(session), stdout=out, stderr=err,
                                            stdin=subprocess.DEVNULL, start_new_session=True)
            if STOPPING.is_set():  # interrupted while it was being started
                kill_group(self.running)
            started = time.monotonic()
            killed = timed_out = False
            kill_at = started + self.rng.uniform(self.a.kill_after_min, self.a.kill_after_max) if kill else None
            deadline = started + self.a.run_timeout
            while self.running.poll() is None:
                now = time.monotonic()
                if kill_at is not None and now >= kill_at:
                    kill_group(self.running)
                    killed = True
                    break
                if now >= deadline:
                    kill_group(self.running)
                    timed_out = True
                    break
                time.sleep(0.05)
            code = self.running.wait()
            self.running = None
        with open(out_path) as f:
            stdout = f.read()
        return {"round": round_no, "args": args[0], "exit": code, "killed": killed, "timed_out": timed_out,
                "seconds": round(time.monotonic() - started, 2), "says_nothing_left": "nothing to resume" in stdout}

    def pending(self):
        return sorted(os.path.splitext(os.path.basename(p))[0] for p in glob.glob(os.path.join(self.journal, "*.jsonl")))

    def run(self):
        started = time.monotonic()
        self.sim = Sim(self.a.sim_binary, self.dialect, self.workdir, self.a.sim_rate)
        try:
            return self.soak(started)
        finally:
            if self.running is not None:
                kill_group(self.running)
            self.sim.stop()
            if not self.a.keep:
                shutil.rmtree(self.workdir, ignore_errors=True)

    def client_session(self, session):
        """What the client calls the session (WAHA names sessions by label, Wawp's one instance is
        "instance"): asked of `wamod sessions --json` while faults are off, matched by account."""
        r = subprocess.run([self.a.binary, "sessions", "--json"] + self.gateway_args(), env=self.env(session["id"]),
                           capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
        try:
            rows = json.loads(r.stdout)["sessions"]
        except (ValueError, KeyError):
            raise BenchError(f"`wamod sessions --json` answered exit {r.returncode}: {r.stderr.strip()[:300]}")
        for row in rows:
            if row.get("account") and row.get("account") == session.get("account"):
                return row["id"]
        for row in rows:
            if row.get("lid") and row.get("lid") == session.get("lid"):
                return row["id"]
        raise BenchError(f"the client lists no session with the account {session.get('account')}")

    def soak(self, started):
        sim = self.sim
        sessions = sim.get("/_sim/sessions")["sessions"]
        if not sessions:
            raise BenchError("the world has no session")
        session = sessions[0]
        if not session["connected"]:
            raise BenchError(f"the first session {session['id']} is not connected")
        group = max(session["groups"], key=lambda g: g["size"])
        own = {session.get("account"), session.get("lid")}
        query = urllib.parse.urlencode({"session": session["id"], "group": group["jid"]})
        members = sim.get(f"/_sim/members?{query}")["members"]
        removable = [m["id"] for m in members
                     if m["role"] != "superadmin" and m["id"] not in own and m.get("phone") not in own and m.get("lid") not in own]
        targets = removable[: self.a.targets] if self.a.targets else removable
        if not targets:
            raise BenchError("no removable member in the largest group")
        self.say(f"session {session['label']} ({session['id']}), group {group['jid']} ({group['size']} members), "
                 f"{len(targets)} targets; work dir {self.workdir}")

        session_arg = self.client_session(session)
        sim.request("POST", "/_sim/faults", {"rates": self.a.rate_map, "stallMs": self.a.stall_ms,
                                             "mutationsOnly": self.a.mutations_only})
        arrivals_before = sim.get("/_sim/arrivals")["total"]
        kills_left = self.a.kills
        rounds = []
        remove_args = (["remove"] + self.gateway_args() + [session_arg, group["jid"]] + targets +
                       ["--yes", "--json", "--pace", str(self.a.pace), "--timeout", str(self.a.timeout)])
        # A round is one wamod run. A killed run does not use up --max-rounds (each kill is one
        # more round), so every configuration gets the same number of honest tries.
        unkilled = 0
        next_run = ("remove", None)
        while next_run is not None and unkilled < self.a.max_rounds:
            kind, op = next_run
            kill = kills_left > 0
            args = remove_args if kind == "remove" else (["resume"] + self.gateway_args() + [op, "--yes", "--json"] +
                                                         ["--pace", str(self.a.pace), "--timeout", str(self.a.timeout)])
            r = self.run_wamod(args, session["id"], len(rounds) + 1, kill)
            rounds.append(r)
            if r["killed"]:
                kills_left -= 1
            else:
                unkilled += 1
            self.say(f"round {r['round']}: {kind}{' ' + op if op else ''} exit {r['exit']}"
                     f"{' (killed)' if r['killed'] else ''}{' (timed out)' if r['timed_out'] else ''}, {r['seconds']} s")
            left = self.pending()
            if left:
                next_run = ("resume", left[0])
            elif kind == "remove" and not any(x.get("type") == "operation" for x in read_audit(self.audit)):
                # Nothing was journaled, so nothing was sent (killed first, or a read before the
                # first request failed): the operator runs it again.
                next_run = ("remove", None)
            else:
                next_run = None
        left_pending = self.pending()

        sim.request("POST", "/_sim/faults", {"rates": {}})
        final = sim.get(f"/_sim/members?{query}")["members"]
        ledger = sim.get("/_sim/ledger")["changes"]
        arrivals = sim.get("/_sim/arrivals")
        wall = time.monotonic() - started
        return self.figures(targets, final, ledger, arrivals, arrivals_before, rounds, left_pending, wall, session, group)

    def figures(self, targets, final, ledger, arrivals, arrivals_before, rounds, left_pending, wall, session, group):
        present = set()
        for m in final:
            present.update(x for x in (m["id"], m.get("phone"), m.get("lid")) if x)
        wanted = set(targets)
        last = {}
        for rec in read_audit(self.audit):
            if rec.get("type") == "result" and rec.get("target") in wanted:
                last[rec["target"]] = rec.get("outcome")
        changes = {}
        for c in ledger:
            if c["session"] == session["id"] and c["group"] == group["jid"]:
                changes.setdefault(c["target"], []).append(c["action"])
        removed = {t for t, acts in changes.items() if "remove" in acts}
        unsettled = [t for t in targets if last.get(t) not in FINAL]
        said_done_present = [t for t in targets if last.get(t) in SAID_DONE and t in present]
        said_refused_gone = [t for t in targets if last.get(t) == "refused" and t not in present]
        duplicated = {t: acts for t, acts in changes.items() if len(acts) > 1}
        still_present = [t for t in targets if t in present]
        gone_unreported = [t for t in targets if t not in present and last.get(t) not in SAID_DONE]
        rows = arrivals["arrivals"][-(arrivals["total"] - arrivals_before):] if arrivals["total"] > arrivals_before else []
        mutating = sum(1 for x in rows if x["method"] not in ("GET", "HEAD"))
        outcomes = {}
        for t in targets:
            outcomes[last.get(t, "none")] = outcomes.get(last.get(t, "none"), 0) + 1
        return {
            "dialect": self.dialect,
            "targets": len(targets),
            "rounds": len(rounds),
            "kills": sum(1 for r in rounds if r["killed"]),
            "timeouts": sum(1 for r in rounds if r["timed_out"]),
            "journals_left": len(left_pending),
            "unsettled": len(unsettled),
            "said_done_but_present": len(said_done_present),
            "said_refused_but_gone": len(said_refused_gone),
            "duplicated_changes": sum(len(a) - 1 for a in duplicated.values()),
            "duplicated_targets": len(duplicated),
            "still_present": len(still_present),
            "gone_not_reported_done": len(gone_unreported),
            "removed_by_ledger": len(removed & wanted),
            "requests": len(rows),
            "mutating_requests": mutating,
            "wall_seconds": round(wall, 1),
            "last_outcomes": outcomes,
            "round_details": rounds,
            "examples": {
                "said_done_but_present": said_done_present[:5],
                "said_refused_but_gone": said_refused_gone[:5],
                "duplicated": dict(list(duplicated.items())[:5]),
                "unsettled": unsettled[:5],
            },
        }


def lies(f):
    return f["said_done_but_present"] + f["said_refused_but_gone"] + f["duplicated_changes"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=".build/release/wamod",
                    help="the wamod binary (build it with `swift build -c release`)")
    ap.add_argument("--sim-binary", default=None,
                    help="the wamod that runs the emulator, when it is not --binary (to measure an older client "
                         "against this emulator)")
    ap.add_argument("--dialects", default=",".join(DIALECTS))
    ap.add_argument("--serial", action="store_true", help="one dialect after another instead of all at once")
    ap.add_argument("--targets", type=int, default=0, help="only the first N removable members (0 = all)")
    ap.add_argument("--rates", default=DEFAULT_RATES, help=f"fault shares, name=share among {', '.join(RATE_NAMES)}")
    ap.add_argument("--stall-ms", type=int, default=8000, help="how long a stalled answer is held")
    ap.add_argument("--mutations-only", action="store_true", help="faults on mutating requests only (reads stay clean)")
    ap.add_argument("--pace", type=int, default=6000, help="wamod's --pace, requests per minute")
    ap.add_argument("--sim-rate", type=int, default=60000,
                    help="the emulator's --rate and --burst: high enough never to be reached, so only the injected "
                         "faults refuse requests (with 0, no limit, v1 sessions still advertise the fixture's 20 a "
                         "minute and wamod paces to that, about 50 minutes for 1,022 removals)")
    ap.add_argument("--timeout", type=float, default=5, help="wamod's --timeout, seconds per request")
    ap.add_argument("--max-rounds", type=int, default=5, help="wamod runs (remove, then resumes) not counting killed ones")
    ap.add_argument("--kills", type=int, default=0, help="kill the running wamod with SIGKILL this many times in all")
    ap.add_argument("--kill-after-min", type=float, default=2, help="a kill comes at least this many seconds into a run")
    ap.add_argument("--kill-after-max", type=float, default=30, help="and at most this many")
    ap.add_argument("--run-timeout", type=float, default=1200, help="seconds one wamod run may take before it is killed")
    ap.add_argument("--seed", default="1", help="seed for the moments of the kills")
    ap.add_argument("--json", default=None, metavar="PATH", help="also write the figures, with every round, as JSON")
    ap.add_argument("--keep", action="store_true", help="keep each dialect's work dir (audit, journal, outputs, sim log)")
    a = ap.parse_args()
    a.rate_map = parse_rates(a.rates)
    dialects = [d.strip() for d in a.dialects.split(",") if d.strip()]
    for d in dialects:
        if d not in DIALECTS:
            raise SystemExit(f"unknown dialect '{d}' (known: {', '.join(DIALECTS)})")
    a.sim_binary = a.sim_binary or a.binary
    for b in (a.binary, a.sim_binary):
        if not os.access(b, os.X_OK):
            raise SystemExit(f"no wamod binary at {b}: build it with `swift build -c release` (or pass --binary)")
    a.sim_binary = os.path.abspath(a.sim_binary)
    if a.kill_after_max < a.kill_after_min or a.max_rounds < 1:
        raise SystemExit("--kill-after-max is at least --kill-after-min, and --max-rounds at least 1")
    a.binary = os.path.abspath(a.binary)

    # SIGTERM (a `timeout`, a CI job cancelled) ends the run through the same cleanup as Ctrl-C.
    def on_term(signum, frame):
        raise KeyboardInterrupt()
    signal.signal(signal.SIGTERM, on_term)
    lock = threading.Lock()

    def log(text):
        with lock:
            print(text, file=sys.stderr, flush=True)

    results, failures = {}, {}
    soaks = [Soak(a, d, log) for d in dialects]

    def one(s):
        try:
            results[s.dialect] = s.run()
        except Exception as e:  # the benchmark's own failure, reported per dialect
            failures[s.dialect] = f"{type(e).__name__}: {e}"
            log(f"[{s.dialect}] could not run: {failures[s.dialect]}")

    threads = []
    try:
        if a.serial:
            for s in soaks:
                one(s)
        else:
            threads = [threading.Thread(target=one, args=(s,), daemon=True) for s in soaks]
            for t in threads:
                t.start()
            for t in threads:
                while t.is_alive():
                    t.join(timeout=0.5)
    except KeyboardInterrupt:
        STOPPING.set()
        for s in soaks:
            if s.running is not None:
                kill_group(s.running)
            if s.sim is not None:
                s.sim.stop()
        # Let each dialect's own cleanup run (it stops what it started), within bounds.
        deadline = time.monotonic() + 20
        for t in threads:
            t.join(timeout=max(0.1, deadline - time.monotonic()))
        raise

    rates = ", ".join(f"{k} {v:g}" for k, v in a.rate_map.items())
    print(f"\nRemoving every removable member of a 1,024-member group under faults ({rates}; stalls "
          f"{a.stall_ms} ms; on {'mutations only' if a.mutations_only else 'every request'}); "
          f"--pace {a.pace} --timeout {a.timeout:g}; up to {a.max_rounds} rounds; {a.kills} kills\n")
    print("| dialect | targets | rounds (kills) | without a final state | said done, still present | "
          "said refused, gone | duplicated changes | still present | requests (mutating) | wall time |")
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for d in dialects:
        if d in failures:
            print(f"| {d} | could not run: {failures[d]} | | | | | | | | |")
            continue
        f = results[d]
        print(f"| {d} | {f['targets']} | {f['rounds']} ({f['kills']}) | {f['unsettled']} | {f['said_done_but_present']} | "
              f"{f['said_refused_but_gone']} | {f['duplicated_changes']} | {f['still_present']} | "
              f"{f['requests']} ({f['mutating_requests']}) | {f['wall_seconds']:.0f} s |")
    for d in dialects:
        if d in results:
            f = results[d]
            extra = [f"last outcomes {f['last_outcomes']}"]
            if f["journals_left"]:
                extra.append(f"{f['journals_left']} journal(s) left")
            if f["timeouts"]:
                extra.append(f"{f['timeouts']} run(s) timed out")
            if f["gone_not_reported_done"]:
                extra.append(f"{f['gone_not_reported_done']} gone but not reported done")
            print(f"\n_{d}: {'; '.join(extra)}_")
    if a.json and a.json != "-":
        with open(a.json, "w") as fh:
            json.dump({"rates": a.rate_map, "stall_ms": a.stall_ms, "mutations_only": a.mutations_only, "pace": a.pace,
                       "timeout": a.timeout, "max_rounds": a.max_rounds, "kills": a.kills, "seed": a.seed,
                       "results": results, "failures": failures}, fh, indent=2)
    if failures:
        sys.exit(2)
    sys.exit(1 if any(lies(f) > 0 for f in results.values()) else 0)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        print("interrupted: the emulators and wamod runs it started are stopped", file=sys.stderr)
        sys.exit(130)
