#!/usr/bin/env python3
"""Keystroke-to-screen latency and bytes per keystroke of the wamod console.

Drives the real binary (`wamod demo --fixture large`) on a pseudo-terminal, opens the
fixture's 1,024-member group, and presses keys one at a time. For each key it measures

  * time  = from os.write() of the key's bytes to the pty master until the arrival of the
            last byte of the output burst that key caused (the burst ends when the pty has
            been silent for --idle-ms; that trailing silence is NOT counted);
  * first = from the write to the arrival of the first byte of output;
  * bytes = every byte the program wrote in that burst;
  * cpu   = CPU time of all the program's threads meanwhile (/proc/PID/task/*/schedstat).

Prints a Markdown table per terminal size and writes JSON (bench/results.json by default).
Standard library only. See bench/README.md for the method and its caveats.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import errno
import fcntl
import json
import os
import platform
import pty
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import termios
import time
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

# Keys as an xterm in keypad-transmit mode sends them (wamod turns keypad mode on).
KEY_BYTES = {
    "Enter": b"\r",
    "Esc": b"\x1b",
    "Tab": b"\t",
    "Backspace": b"\x7f",
    "PgDn": b"\x1b[6~",
    "PgUp": b"\x1b[5~",
    "Space": b" ",
}

ANSI_RE = re.compile(rb"\x1b\[[0-9;?<=>]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78DEHMNOZc]|\x1b\][^\x07]*\x07")


def key_bytes(name: str) -> bytes:
    return KEY_BYTES.get(name, name.encode())


def plain(data: bytes) -> str:
    """Output with escape sequences removed, for finding text on screen (rough but enough)."""
    return ANSI_RE.sub(b"", data).decode("utf-8", "replace")


# --------------------------------------------------------------------------------------
# The console on a pty


class Console:
    def __init__(self, argv: list[str], cols: int, rows: int, env: dict[str, str]):
        self.cols, self.rows = cols, rows
        pid, fd = pty.fork()
        if pid == 0:  # child: the pty slave is stdin/stdout/stderr and the controlling tty
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self.eof = False
        self.stray = 0  # bytes that arrived between measurements (not caused by a key)
        self.exit_status: int | None = None

    def _read(self) -> bytes:
        try:
            b = os.read(self.fd, 1 << 16)
        except OSError as e:  # EIO: the slave side is closed (the program exited)
            if e.errno != errno.EIO:
                raise
            b = b""
        if not b:
            self.eof = True
        return b

    def _wait(self, timeout: float) -> bool:
        if self.eof:
            return False
        r, _, _ = select.select([self.fd], [], [], max(0.0, timeout))
        return bool(r)

    def drain(self) -> bytes:
        """Whatever is already waiting, without blocking."""
        out = b""
        while self._wait(0):
            b = self._read()
            if not b:
                break
            out += b
        return out

    def read_until(self, predicate, timeout: float, quiet: float) -> tuple[bytes, bool, float, float | None]:
        """Reads until predicate(all output so far) holds and then `quiet` seconds pass
        without output, or until `timeout`. Returns (output, predicate held, perf_counter()
        when the last byte arrived, perf_counter() when the predicate first held)."""
        out = b""
        t_last = time.perf_counter()
        t_held = None
        deadline = time.monotonic() + timeout
        held = False
        while time.monotonic() < deadline:
            if not held and predicate(out):
                held = True
                t_held = t_last
            wait = min(quiet, deadline - time.monotonic()) if held else min(0.05, deadline - time.monotonic())
            if self._wait(wait):
                b = self._read()
                if not b:
                    break
                out += b
                t_last = time.perf_counter()
            elif held:
                return out, True, t_last, t_held
            elif self.eof:
                break
        return out, held or predicate(out), t_last, t_held

    def cpu_ns(self) -> int | None:
        """CPU time (ns) all of the program's threads have used so far, from the scheduler's
        accounting in /proc/PID/task/TID/schedstat (the console's UI loop runs on a
        dispatch worker thread, not the main thread); None where unavailable."""
        try:
            tids = os.listdir(f"/proc/{self.pid}/task")
        except OSError:
            return None
        total = 0
        for tid in tids:
            try:
                with open(f"/proc/{self.pid}/task/{tid}/schedstat") as f:
                    total += int(f.read().split()[0])
            except (OSError, ValueError, IndexError):
                pass  # the thread ended meanwhile
        return total

    def press(self, data: bytes, idle: float, first_timeout: float) -> dict:
        """One measured keystroke. See the module docstring for what is measured."""
        self.stray += len(self.drain())
        chunks = 0
        cpu0 = self.cpu_ns()
        total = 0
        t0 = time.perf_counter()
        os.write(self.fd, data)
        if not self._wait(first_timeout):
            return {"ms": None, "first_ms": None, "bytes": 0, "reads": 0, **self._cpu_since(cpu0)}
        t_first = None
        t_last = t0
        while True:
            b = self._read()
            now = time.perf_counter()
            if not b:
                break
            if t_first is None:
                t_first = now
            t_last = now
            total += len(b)
            chunks += 1
            if not self._wait(idle):
                break
        return {
            "ms": (t_last - t0) * 1000.0,
            "first_ms": ((t_first or t_last) - t0) * 1000.0,
            "bytes": total,
            "reads": chunks,
            **self._cpu_since(cpu0),
        }

    def _cpu_since(self, before) -> dict:
        after = self.cpu_ns()
        return {"cpu_ms": None if after is None or before is None else max(0, after - before) / 1e6}

    def quit(self, timeout: float = 5.0) -> str:
        """Presses q and waits for the exit; kills the process if it does not leave."""
        how = "q"
        if not self.eof:
            try:
                os.write(self.fd, b"q")
            except OSError:
                pass
        deadline = time.monotonic() + timeout
        for sig in (None, signal.SIGTERM, signal.SIGKILL):
            if sig is not None:
                how = signal.Signals(sig).name
                try:
                    os.kill(self.pid, sig)
                except ProcessLookupError:
                    pass
                deadline = time.monotonic() + 2.0
            while time.monotonic() < deadline:
                self.drain()
                pid, status = os.waitpid(self.pid, os.WNOHANG)
                if pid == self.pid:
                    self.exit_status = os.waitstatus_to_exitcode(status)
                    os.close(self.fd)
                    return how
                time.sleep(0.02)
        os.close(self.fd)
        return how + " (did not exit)"


# --------------------------------------------------------------------------------------
# Finding the big group


def find_big_group(binary: str, seed: int, env: dict[str, str]) -> tuple[str, str, int] | None:
    """Runs the emulator (`wamod sim`) with the same fixture and seed, and asks the CLI for the
    first session's groups. Returns (session, group JID, size) of the largest group."""
    token = "bench-" + os.urandom(6).hex()
    # The emulator's stdout is block-buffered on a pipe, so pick the port here instead of
    # reading it from its banner.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    sim = subprocess.Popen([binary, "sim", "--fixture", "large", "--seed", str(seed), "--port", str(port)],
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           env=dict(env, WAMOD_SIM_TOKEN=token))
    try:
        cenv = dict(env, WAMOD_TOKEN=token)
        common = ["--gateway", f"http://127.0.0.1:{port}", "--dialect", "v1"]
        out = ""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and sim.poll() is None:
            r = subprocess.run([binary, "sessions", *common], env=cenv, capture_output=True, text=True, timeout=30)
            if r.returncode == 0:
                out = r.stdout
                break
            time.sleep(0.2)
        lines = [l for l in out.splitlines()[1:] if l.strip()]
        if not lines:
            return None
        session = lines[0].split()[0]
        out = subprocess.run([binary, "groups", session, *common], env=cenv, capture_output=True, text=True, timeout=60).stdout
        best = None
        for line in out.splitlines()[1:]:
            m = re.search(r"(\S+@g\.us)\s+(\d+)", line)
            if m and (best is None or int(m.group(2)) > best[1]):
                best = (m.group(1), int(m.group(2)))
        return (session, best[0], best[1]) if best else None
    except (OSError, subprocess.SubprocessError):
        return None
    finally:
        sim.terminate()
        try:
            sim.wait(5)
        except subprocess.TimeoutExpired:
            sim.kill()
            sim.wait()


# --------------------------------------------------------------------------------------
# The plan: which keys, how many times


@dataclass
class Kind:
    label: str
    samples: list = field(default_factory=list)


J_PAGE, K_PAGE = "j (cursor moves, list still)", "k (cursor moves, list still)"
J_SCROLL, K_SCROLL = "j (list scrolls one row)", "k (list scrolls one row)"


TABLE_ORDER = [
    "j (groups pane, no group open)", "k (groups pane, no group open)",
    J_PAGE, K_PAGE, J_SCROLL, K_SCROLL, "PgDn", "PgUp", "g (first row)", "G (last row)",
    "Space (tag + down)", "a (tag all shown)", "U (untag all)",
    "/ (open filter)", "filter: type a char", "filter: Backspace", "filter: Enter (keep)", "Esc (clear filter)",
    "Tab (next pane)",
]


def plan(scale: float) -> list[tuple[str, int, list, list]]:
    """Steps in the order run: (name, planned repetitions, setup keys, one repetition), keys
    as (kind label, key name). A step's setup keys run (and are measured) before each batch
    of its repetitions, and put the cursor where the repetition's labels are true (G before g
    and g before G, so that neither is a no-op that would wait out the silent timeout):
      G g, then j/k       the cursor moves inside the first page, the list does not scroll;
      G g PgDn, then j    PgDn leaves the cursor on the page's last row: every j scrolls one row;
      g G PgUp, then k    PgUp leaves the cursor on the page's first row: every k scrolls one row.
    """
    n = lambda x: max(1, round(x * scale))
    g, G = ("g (first row)", "g"), ("G (last row)", "G")
    pgdn, pgup = ("PgDn", "PgDn"), ("PgUp", "PgUp")
    untag = ("U (untag all)", "U")
    filter_cycle = ([("/ (open filter)", "/")]
                    + [("filter: type a char", c) for c in "ana l"]
                    + [("filter: Backspace", "Backspace")] * 2
                    + [("filter: Enter (keep)", "Enter"), ("Esc (clear filter)", "Esc")])
    return [
        ("cursor in page", n(12), [G, g], [(J_PAGE, "j")] * 3 + [(K_PAGE, "k")] * 3),
        ("scroll down", n(12), [G, g, pgdn], [(J_SCROLL, "j")] * 4),
        ("scroll up", n(8), [g, G, pgup], [(K_SCROLL, "k")] * 4),
        ("paging", n(4), [G, g], [pgdn, pgdn, pgup, pgup]),
        ("tagging", n(8), [], [("Space (tag + down)", " ")] * 3 + [untag]),
        ("tag all", n(5), [], [("a (tag all shown)", "a"), untag]),
        ("filter", n(3), [], filter_cycle),
        ("panes", n(2), [], [("Tab (next pane)", "Tab")] * 4),
    ]


def plan_baseline(scale: float) -> list[tuple[str, int, list[tuple[str, str]]]]:
    """Cursor moves in the groups pane (200 rows) before any participant list is loaded."""
    n = lambda x: max(1, round(x * scale))
    return [
        ("groups pane: j", n(20), [], [("j (groups pane, no group open)", "j")]),
        ("groups pane: k", n(10), [], [("k (groups pane, no group open)", "k")]),
    ]


# --------------------------------------------------------------------------------------
# Statistics and output


def pct(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    v = sorted(values)
    k = max(1, -(-len(v) * p // 100))  # ceil
    return v[int(k) - 1]


def summarize(samples: list[dict]) -> dict:
    ms = [s["ms"] for s in samples if s["ms"] is not None]
    first = [s["first_ms"] for s in samples if s["first_ms"] is not None]
    by = [s["bytes"] for s in samples]
    return {
        "n": len(samples),
        "no_output": sum(1 for s in samples if s["ms"] is None),
        "ms_min": min(ms) if ms else None,
        "ms_median": pct(ms, 50),
        "ms_p95": pct(ms, 95),
        "ms_max": max(ms) if ms else None,
        "first_ms_median": pct(first, 50),
        "bytes_median": pct(by, 50),
        "bytes_p95": pct(by, 95),
        "bytes_max": max(by) if by else None,
        "reads_median": pct([s["reads"] for s in samples], 50),
        "cpu_ms_median": pct([s["cpu_ms"] for s in samples if s.get("cpu_ms") is not None], 50),
        "cpu_ms_p95": pct([s["cpu_ms"] for s in samples if s.get("cpu_ms") is not None], 95),
    }


def fmt_ms(v):
    if v is None:
        return "–"
    return f"{v:.1f}" if v < 100 else f"{v:.0f}"


def fmt_b(v):
    return "–" if v is None else f"{int(v):,}"


def markdown(result: dict) -> str:
    m = result["meta"]
    lines = [f"### wamod {m['build']} build, {result['size']} (`{m['binary']}`)", ""]
    s = result["setup"]
    lines.append(f"Idle threshold {m['idle_ms']} ms; first full screen {fmt_ms(s.get('first_screen_ms'))} ms / "
                 f"{fmt_b(s.get('first_screen_bytes'))} B; opening the {s.get('group_size', '?')}-member group "
                 f"(Enter until the list is drawn) {fmt_ms(s.get('open_group_ms'))} ms / {fmt_b(s.get('open_group_bytes'))} B.")
    lines.append("")
    lines.append("| key | n | min ms | median ms | p95 ms | max ms | first byte ms (median) | CPU ms (median / p95) | median B | p95 B | max B |")
    lines.append("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for k in result["keys"]:
        st = k["stats"]
        n = f"{st['n']}" + (f" ({st['no_output']} silent)" if st["no_output"] else "")
        lines.append(f"| {k['label']} | {n} | {fmt_ms(st['ms_min'])} | {fmt_ms(st['ms_median'])} | {fmt_ms(st['ms_p95'])} | "
                     f"{fmt_ms(st['ms_max'])} | {fmt_ms(st['first_ms_median'])} | {fmt_ms(st['cpu_ms_median'])} / {fmt_ms(st['cpu_ms_p95'])} | {fmt_b(st['bytes_median'])} | "
                     f"{fmt_b(st['bytes_p95'])} | {fmt_b(st['bytes_max'])} |")
    notes = []
    if result.get("truncated"):
        notes.append("time budget reached for: " + ", ".join(result["truncated"]) + " (fewer samples than planned)")
    if result.get("stray_bytes"):
        notes.append(f"{result['stray_bytes']} B arrived between keystrokes (not attributed to any key)")
    if result.get("warnings"):
        notes.extend(result["warnings"])
    notes.append(f"quit: {result.get('quit')}, exit status {result.get('exit_status')}; {result.get('seconds')} s; "
                 f"load average (1/5/15 min) before {result.get('loadavg_before')}, after {result.get('loadavg_after')}")
    lines.append("")
    lines.extend(f"_{n}_  " for n in notes)
    return "\n".join(lines)


# --------------------------------------------------------------------------------------
# One run at one size


def run_size(args, cols: int, rows: int, env: dict[str, str], group: tuple | None, budget: float, meta: dict) -> dict:
    idle = args.idle_ms / 1000.0
    result = {"size": f"{cols}x{rows}", "cols": cols, "rows": rows, "meta": meta, "setup": {}, "keys": [],
              "truncated": [], "warnings": []}
    argv = [args.binary, "demo", "--fixture", "large", "--seed", str(args.seed), "--rate", "0"]
    started = time.monotonic()
    hard_deadline = started + budget + 5.0  # no key is sent after this
    result["loadavg_before"] = [round(x, 2) for x in os.getloadavg()]
    con = Console(argv, cols, rows, env)
    setup = result["setup"]
    kinds: dict[str, Kind] = {}
    recent: list[float] = []  # ms of the last keystrokes: scales the wait for a silent key
    ms_since = lambda t: round((time.perf_counter() - t) * 1000.0, 1)

    def one_rep(seq) -> None:
        for label, key in seq:
            if time.monotonic() > hard_deadline:
                raise TimeoutError
            typical = pct(recent[-20:], 50) or 0.0
            wait = min(args.key_timeout, max(args.silent_ms, 4 * typical) / 1000.0)
            s = con.press(key_bytes(key), idle, wait)
            s["waited_ms"] = None if s["ms"] is not None else wait * 1000.0
            if s["ms"] is not None:
                recent.append(s["ms"])
            s["key"] = key
            kinds.setdefault(label, Kind(label)).samples.append(s)
            if con.eof:
                raise RuntimeError("the console exited during the run")

    def run_steps(steps, deadline: float) -> None:
        """Pass 1: every step once, so each kind of key gets measured. Pass 2: the remaining
        repetitions, each step getting a share of the time left in proportion to its planned
        keystrokes. Keys not reached before the deadline are reported as truncated."""
        done = {name: 0 for name, _, _, _ in steps}
        try:
            for name, reps, setup_keys, seq in steps:
                one_rep(setup_keys + seq)
                done[name] += 1
            left = {name: (reps - 1) * len(seq) for name, reps, _, seq in steps}
            total = sum(left.values())
            avail = deadline - time.monotonic()
            for name, reps, setup_keys, seq in steps:
                t_end = time.monotonic() + (avail * left[name] / total if total else 0)
                if done[name] < reps and time.monotonic() < min(t_end, deadline):
                    one_rep(setup_keys)
                while done[name] < reps and time.monotonic() < min(t_end, deadline):
                    one_rep(seq)
                    done[name] += 1
        except TimeoutError:
            pass
        for name, reps, _, _ in steps:
            if done[name] < reps:
                result["truncated"].append(f"{name} {done[name]}/{reps}")

    try:
        # 1. The first full screen: wait for the sessions list ("line-01"), then for quiet.
        t0 = time.perf_counter()
        out, ok, t_last, t_held = con.read_until(lambda o: b"line-01" in o, timeout=60, quiet=0.5)
        setup["sessions_listed_ms"] = round((t_held - t0) * 1000.0, 1) if t_held else None
        setup["first_screen_ms"] = round((t_last - t0) * 1000.0, 1)
        setup["first_screen_bytes"] = len(out)
        if not ok:
            raise RuntimeError("no first screen (no 'Sessions' / 'line-01' within 60 s): " + plain(out)[-300:])

        # 2. Open the first session (focus moves to its 200 groups) and, as a baseline, move
        #    in the groups pane while no big list is open.
        con.press(b"\r", 0.3, 10)
        con.read_until(lambda o: True, timeout=10, quiet=0.3)
        run_steps(plan_baseline(args.scale), time.monotonic() + 0.1 * budget)
        con.press(b"g", idle, 5)

        # 3. Filter the groups by the big group's JID (ASCII, unique), keep the filter, open it.
        if group:
            _, jid, size = group
            setup["group_jid"], setup["group_size"] = jid, size
            for ch in "/" + jid.split("@")[0][-9:]:
                con.press(ch.encode(), idle, 5)
            con.press(b"\r", idle, 5)  # keep the filter: one row left, under the cursor
        else:
            result["warnings"].append("big group not looked up: opened the first group of the list")
            setup["group_size"] = "?"
        con.read_until(lambda o: True, timeout=10, quiet=0.3)
        t0 = time.perf_counter()
        os.write(con.fd, b"\r")
        # Drawn when a role shows up in the list (the owner and admins sort first).
        out, ok, t_last, _ = con.read_until(lambda o: b"owner" in o or b"admin" in o, timeout=120, quiet=1.0)
        setup["open_group_ms"] = round((t_last - t0) * 1000.0, 1)
        setup["open_group_bytes"] = len(out)
        if not ok:
            raise RuntimeError("participants did not show up within 120 s: " + plain(out)[-300:])

        # 4. The measured keys in the participants pane.
        run_steps(plan(args.scale), started + budget - 2.0)
    except RuntimeError as e:
        result["error"] = str(e)
        result["warnings"].append("ERROR: " + str(e))
    finally:
        order = {label: i for i, label in enumerate(TABLE_ORDER)}
        for k in sorted(kinds.values(), key=lambda k: order.get(k.label, len(order))):
            result["keys"].append({"label": k.label, "key_names": sorted({s["key"] for s in k.samples}),
                                   "stats": summarize(k.samples), "samples": k.samples})
        result["stray_bytes"] = con.stray
        result["quit"] = con.quit()
        result["exit_status"] = con.exit_status
        result["seconds"] = round(time.monotonic() - started, 1)
        result["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    return result


# --------------------------------------------------------------------------------------


def build_type(binary: str) -> str:
    parts = os.path.realpath(binary).split(os.sep)
    for p in reversed(parts):
        if p in ("debug", "release"):
            return p
        m = re.match(r".*-(debug|release)$", p)
        if m:
            return m.group(1)
    return "unknown"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default_bin = os.path.join(REPO, ".build", "release", "wamod")
    if not os.path.exists(default_bin):
        default_bin = os.path.join(REPO, ".build", "debug", "wamod")
    ap.add_argument("--binary", default=default_bin, help="the wamod executable (default: %(default)s)")
    ap.add_argument("--sizes", default="120x40,80x24", help="terminal sizes, COLSxROWS, comma-separated (default: %(default)s)")
    ap.add_argument("--idle-ms", type=float, default=25.0, help="silence that ends a key's output burst (default: %(default)s)")
    ap.add_argument("--silent-ms", type=float, default=1500.0,
                    help="a key with no output for max(this, 4 x the median of the last 20 keystrokes) is recorded as silent (default: %(default)s)")
    ap.add_argument("--key-timeout", type=float, default=10.0, help="upper bound, in seconds, of that wait (default: %(default)s)")
    ap.add_argument("--budget", type=float, default=110.0, help="seconds for the whole run, all sizes (default: %(default)s)")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply the planned repetitions (default: %(default)s)")
    ap.add_argument("--seed", type=int, default=1, help="fixture seed (default: %(default)s)")
    ap.add_argument("--build", help="label for the build type (default: from the binary's path)")
    ap.add_argument("--json", default=os.path.join(HERE, "results.json"), help="where to write JSON (default: %(default)s; '-' for none)")
    ap.add_argument("--no-samples", action="store_true", help="leave the per-keystroke samples out of the JSON")
    args = ap.parse_args()

    args.binary = os.path.abspath(args.binary)
    if not os.access(args.binary, os.X_OK):
        print(f"not an executable: {args.binary}", file=sys.stderr)
        return 2
    sizes = []
    for s in args.sizes.split(","):
        m = re.fullmatch(r"\s*(\d+)x(\d+)\s*", s)
        if not m:
            print(f"bad size: {s!r} (want COLSxROWS)", file=sys.stderr)
            return 2
        sizes.append((int(m.group(1)), int(m.group(2))))

    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "ESCDELAY", "COLUMNS", "LINES", "TMUX", "STY")}
    env.update(TERM="xterm-256color", LANG="C.UTF-8", LC_ALL="C.UTF-8")

    began = time.monotonic()
    group = find_big_group(args.binary, args.seed, env)
    meta = {
        "binary": os.path.relpath(args.binary, os.getcwd()) if args.binary.startswith(os.getcwd()) else args.binary,
        "build": args.build or build_type(args.binary),
        "binary_built": _dt.datetime.fromtimestamp(os.path.getmtime(args.binary)).astimezone().isoformat(timespec="seconds"),
        "idle_ms": args.idle_ms,
        "seed": args.seed,
        "term": env["TERM"],
        "locale": env["LC_ALL"],
        "date": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "host": {"platform": platform.platform(), "cpus": os.cpu_count(), "python": platform.python_version()},
        "big_group": {"session": group[0], "jid": group[1], "size": group[2]} if group else None,
    }
    try:
        head = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(["git", "-C", REPO, "status", "--porcelain", "--untracked-files=no", "--", "Sources", "Package.swift"],
                               capture_output=True, text=True, timeout=10)
        if head.returncode == 0:
            meta["git"] = head.stdout.strip() + (" + uncommitted changes in Sources/" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        meta["version"] = subprocess.run([args.binary, "--version"], capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass

    results = []
    each = max(15.0, (args.budget - (time.monotonic() - began) - 2.0) / len(sizes))
    for cols, rows in sizes:
        budget = each
        print(f"[{cols}x{rows}] running (budget {budget:.0f} s)…", file=sys.stderr, flush=True)
        results.append(run_size(args, cols, rows, env, group, budget, meta))

    print(f"## wamod console latency — {meta['build']} build\n")
    print(f"{meta.get('version', '')} · git {meta.get('git', '?')} (working tree when run; the binary may be older) · {meta['host']['platform']} · {meta['host']['cpus']} CPUs · {meta['date']}\n")
    if not group:
        print("_warning: could not look up the 1,024-member group; the first group was opened_\n")
    for r in results:
        print(markdown(r))
        print()

    if args.json != "-":
        doc = {"meta": meta, "runs": results, "seconds": round(time.monotonic() - began, 1)}
        if args.no_samples:
            for r in doc["runs"]:
                for k in r["keys"]:
                    k.pop("samples", None)
        for r in doc["runs"]:
            r.pop("meta", None)
        with open(args.json, "w") as f:
            json.dump(doc, f, indent=1, ensure_ascii=False)
            f.write("\n")
        print(f"JSON: {args.json} ({doc['seconds']} s in all)", file=sys.stderr)
    return 1 if any(r.get("error") for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
