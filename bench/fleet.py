#!/usr/bin/env python3
"""The fleet index at scale: sync, size, find, memory, and how fast a join reaches the console.

Runs an external `wamod sim --fixture large` (50 sessions x 200 groups) and measures, in one run:

  * sync      = `wamod sync` wall time over the whole fleet under a read budget (the default
                one unless --reads-per-minute says otherwise), then a second sync (nothing
                changed: the unchanged groups are skipped);
  * size      = the index file on disk (with its WAL);
  * find      = `wamod find NUMBER` answered from the index: whole-process wall time, median
                of --find-runs; side by side with `wamod find NUMBER --live` (every group read
                again, as before the index), run once unless --skip-live;
  * memory    = the console's peak resident memory (VmHWM) with the index loaded and the
                fleet live, beside `wamod --version`'s own;
  * join      = from a join made through the emulator's admin view to its number on the
                console's screen, with the group open: over WAHA's events, and over polling
                (v1, which pushes none, with poll_interval as given).

Standard library only. Prints a Markdown table and writes JSON (bench/fleet-results.json).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from console_latency import Console, plain, find_big_group  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sim:
    def __init__(self, binary: str, dialect: str, seed: int, env: dict):
        self.token = "bench-" + os.urandom(6).hex()
        self.port = free_port()
        self.dialect = dialect
        self.proc = subprocess.Popen([binary, "sim", "--fixture", "large", "--seed", str(seed), "--port", str(self.port),
                                      "--dialect", dialect, "--rate", "0"],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     env=dict(env, WAMOD_SIM_TOKEN=self.token))
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                self.admin("GET", "/_sim/sessions")
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the emulator did not start")

    def admin(self, method: str, path: str, body: dict | None = None) -> dict:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Authorization": "Bearer " + self.token, "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read() or b"{}")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def run(binary: str, args: list[str], env: dict, timeout: float = 7200) -> tuple[subprocess.CompletedProcess, float]:
    t = time.perf_counter()
    r = subprocess.run([binary, *args], env=env, capture_output=True, text=True, timeout=timeout)
    return r, time.perf_counter() - t


def peak_kb(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def version_peak(binary: str) -> int | None:
    r = subprocess.run(["/usr/bin/time", "-f", "%M", binary, "--version"], capture_output=True, text=True)
    try:
        return int(r.stderr.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None


def profile_file(path: str, name: str, sim: Sim, poll: str):
    with open(path, "a") as f:
        f.write(f"\n[profile {name}]\ndialect = {sim.dialect}\nurl = {sim.url}\ntoken_env = WAMOD_TOKEN\n"
                f"pace_per_minute = 600\npoll_interval = {poll}\n")


def join_latency(binary: str, sim: Sim, profile: str, env: dict, session: str, group: str, label: str, timeout: float) -> dict:
    """Opens the big group in the console, joins a new number through the admin view, and
    times until the number is on screen."""
    cenv = dict(env, WAMOD_PROFILE=profile, TERM="xterm-256color", LANG="C.UTF-8", LC_ALL="C.UTF-8")
    c = Console([binary, "console"], 120, 35, cenv)
    out = {"source": label}
    try:
        _, ok, _, _ = c.read_until(lambda o: b"sessions" in o.lower() or b"Sessions" in o, 60, 1.0)
        if not ok:
            out["error"] = "no first screen"
            return out
        c.press(b"\r", 0.5, 10)
        c.press(b"/", 0.2, 5)
        for ch in group.split("@")[0][-9:]:
            c.press(ch.encode(), 0.1, 5)
        c.press(b"\r", 0.3, 5)
        c.press(b"\r", 0.5, 10)
        c.read_until(lambda o: b"owner" in o or b"admin" in o, 60, 1.0)
        c.read_until(lambda o: False, 3, 3)  # let the console settle (first sync, events)
        peak = peak_kb(c.pid)
        number = "55119" + str(int(time.time() * 1000))[-8:]
        # A new member is added at the end of a 1,024-row list, off the screen: the
        # participants pane is filtered to the number first, so its row shows as it arrives.
        c.press(b"/", 0.2, 5)
        for ch in number[-8:]:
            c.press(ch.encode(), 0.05, 5)
        c.press(b"\r", 0.3, 5)
        c.read_until(lambda o: False, 1, 1)
        # WhatsApp caps a group at 1,024 and the emulator with it ("the group is full"): one
        # member leaves first (a plain member, through the admin view), and the console is
        # given time to take that in before the join is timed.
        members = sim.admin("GET", f"/_sim/members?session={session}&group={group}")["members"]
        if len(members) >= 1024:
            leaver = next(m for m in reversed(members) if m.get("role", "member") == "member")
            sim.admin("POST", "/_sim/participants", {"session": session, "group": group, "remove": [leaver.get("phone") or leaver["id"]]})
            c.read_until(lambda o: False, 3, 3)
        t0 = time.perf_counter()
        answer = sim.admin("POST", "/_sim/participants", {"session": session, "group": group, "add": ["+" + number], "via": "invite"})
        if not answer.get("added"):
            out["error"] = f"the emulator did not add the number: {answer.get('skipped')}"
            return out
        needle = number[-8:].encode()
        _, seen, _, t_held = c.read_until(lambda o: needle in plain(o).encode(), timeout, 0.2)
        out["seconds"] = round((t_held - t0), 3) if seen and t_held else None
        out["peak_kb"] = peak_kb(c.pid) or peak
        if not seen:
            out["error"] = f"not on screen within {timeout:.0f} s"
    finally:
        c.quit()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=os.path.join(REPO, ".build/release/wamod"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--reads-per-minute", type=int, help="the sync's budget for this run (default: the profile default)")
    ap.add_argument("--find-runs", type=int, default=10)
    ap.add_argument("--skip-live", action="store_true", help="do not run the live find (about 3.5 minutes)")
    ap.add_argument("--skip-console", action="store_true")
    ap.add_argument("--skip-find", action="store_true", help="with --reuse: only the console's measures")
    ap.add_argument("--poll", default="60s", help="poll_interval for the polling measurement")
    ap.add_argument("--json", default=os.path.join(HERE, "fleet-results.json"))
    ap.add_argument("--reuse", metavar="DIR", help="the work folder of an earlier run whose syncs finished: its index is used and "
                                                   "the syncs' figures are read from the index's own record of its rounds")
    args = ap.parse_args()

    work = args.reuse or tempfile.mkdtemp(prefix="wamod-bench-fleet-")
    env = {k: v for k, v in os.environ.items() if not k.startswith("WAMOD_")}
    env.update(XDG_STATE_HOME=work + "/state", WAMOD_AUDIT=work + "/audit.jsonl", WAMOD_CONFIG=work + "/config")
    if args.reuse and os.path.exists(env["WAMOD_CONFIG"]):
        os.remove(env["WAMOD_CONFIG"])  # the profiles are written anew for this run's emulators
    result: dict = {"binary": args.binary, "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    big = find_big_group(args.binary, args.seed, env)
    if not big:
        print("could not find the big group", file=sys.stderr)
        return 1
    session, group, size = big
    sims = []
    try:
        waha = Sim(args.binary, "waha", args.seed, env)
        sims.append(waha)
        profile_file(env["WAMOD_CONFIG"], "events", waha, args.poll)
        penv = dict(env, WAMOD_TOKEN=waha.token, WAMOD_PROFILE="events")
        budget = ["--reads-per-minute", str(args.reads_per_minute)] if args.reads_per_minute else []
        if args.reuse:
            index = os.path.join(work, "state", "wamod", "index", "events.sqlite")
            rounds = subprocess.run(["sqlite3", index, "SELECT finished - started FROM sync_round WHERE finished IS NOT NULL ORDER BY id"],
                                    capture_output=True, text=True).stdout.split()
            groups = subprocess.run(["sqlite3", index, "SELECT COUNT(*) FROM fleet_group WHERE last_full_read IS NOT NULL"],
                                    capture_output=True, text=True).stdout.strip()
            result["sync"] = {"seconds": round(float(rounds[0]), 1), "groupsRead": int(groups or 0),
                              "readsPerMinute": args.reads_per_minute or "default", "from": "the index's record of its first round"}
            result["resync"] = {"seconds": round(float(rounds[1]), 1) if len(rounds) > 1 else None, "groupsRead": 0,
                                "groupsSkipped": int(groups or 0), "from": "the index's record of its second round"}
        else:
            r, t = run(args.binary, ["sync", "--json", *budget], penv)
            sync = json.loads(r.stdout or "{}")
            result["sync"] = {"seconds": round(t, 1), "status": r.returncode, "groupsRead": sync.get("groupsRead"),
                              "readsPerMinute": args.reads_per_minute or "default"}
            r, t = run(args.binary, ["sync", "--json"], penv)
            again = json.loads(r.stdout or "{}")
            result["resync"] = {"seconds": round(t, 1), "groupsRead": again.get("groupsRead"), "groupsSkipped": again.get("groupsSkipped")}
            index = sync.get("index", "")
        count = subprocess.run(["sqlite3", index, "SELECT COUNT(*) FROM fleet_participant"], capture_output=True, text=True).stdout.strip()
        result["memberships"] = int(count or 0)
        result["index_bytes"] = sum(os.path.getsize(p) for p in (index, index + "-wal") if os.path.exists(p))

        # A member of the big group, to look for.
        # The command line names sessions by label; the admin view's reads take the id.
        sid = next((s["id"] for s in waha.admin("GET", "/_sim/sessions")["sessions"] if session in (s["id"], s.get("label"))), session)
        members = waha.admin("GET", f"/_sim/members?session={sid}&group={group}")["members"]
        who = next(m["phone"] for m in members if m.get("phone"))
        number = "+" + who.split("@")[0]
        times = []
        r = None
        for _ in range(0 if args.skip_find else args.find_runs):
            r, t = run(args.binary, ["find", number, "--json"], penv)
            if r.returncode == 0:
                times.append(t)
        hits = len(json.loads(r.stdout or "{}").get("groups", [])) if times else 0
        result["find_index"] = {"median_ms": round(statistics.median(times) * 1000, 1) if times else None,
                                "runs": len(times), "hits": hits}
        r, t = run(args.binary, ["--version"], penv)
        result["version_ms"] = round(t * 1000, 1)
        if not args.skip_live and not args.skip_find:
            r, t = run(args.binary, ["find", number, "--json", "--live"], penv)
            result["find_live"] = {"seconds": round(t, 1), "hits": len(json.loads(r.stdout or "{}").get("groups", []))}
        result["version_peak_kb"] = version_peak(args.binary)

        if not args.skip_console:
            result["join_events"] = join_latency(args.binary, waha, "events", penv, sid, group, "events (WAHA)", 60)
            v1 = Sim(args.binary, "v1", args.seed, env)
            sims.append(v1)
            profile_file(env["WAMOD_CONFIG"], "polling", v1, args.poll)
            venv = dict(env, WAMOD_TOKEN=v1.token, WAMOD_PROFILE="polling")
            # Setup, not a measure: the polling console needs an index of this fleet too; it is
            # filled fast (the emulator has no rate limit), the full sync was measured above.
            run(args.binary, ["sync", "--reads-per-minute", "600"], venv)
            secs = float(args.poll.rstrip("s")) if args.poll.endswith("s") else 600
            result["join_polling"] = join_latency(args.binary, v1, "polling", venv, sid, group, f"polling ({args.poll})", secs * 2 + 30)
    finally:
        for s in sims:
            s.stop()

    print(markdown(result, size))
    if args.json != "-":
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
    return 0


def markdown(r: dict, size: int) -> str:
    rows = ["| measure | value |", "|---|--:|"]
    s = r.get("sync", {})
    rows.append(f"| full sync, 50 sessions x 200 groups ({s.get('readsPerMinute')} reads/min/session) | {s.get('seconds')} s ({s.get('groupsRead')} groups read) |")
    rs = r.get("resync", {})
    rows.append(f"| second sync, nothing changed | {rs.get('seconds')} s ({rs.get('groupsRead')} read, {rs.get('groupsSkipped')} skipped) |")
    per = r.get("index_bytes", 0) / r["memberships"] if r.get("memberships") else 0
    rows.append(f"| index on disk | {r.get('index_bytes', 0) / 1e6:.1f} MB ({r.get('memberships')} memberships, {per:.0f} B each) |")
    f = r.get("find_index", {})
    rows.append(f"| `wamod find` from the index (whole process, median of {f.get('runs')}) | {f.get('median_ms')} ms |")
    rows.append(f"| `wamod --version` (whole process) | {r.get('version_ms')} ms |")
    if "find_live" in r:
        rows.append(f"| `wamod find --live` (every group read) | {r['find_live']['seconds']} s |")
    for k in ("join_events", "join_polling"):
        if k in r:
            j = r[k]
            rows.append(f"| join -> on screen, {j['source']} | {j.get('seconds')} s{' (' + j['error'] + ')' if j.get('error') else ''} |")
            if j.get("peak_kb"):
                rows.append(f"| console peak memory, {size}-member group open, index loaded ({j['source']}) | {j['peak_kb'] / 1024:.1f} MB |")
    if r.get("version_peak_kb"):
        rows.append(f"| `wamod --version` peak memory | {r['version_peak_kb'] / 1024:.1f} MB |")
    return "\n".join(rows)


if __name__ == "__main__":
    sys.exit(main())
