#!/usr/bin/env python3
"""A recorded demo of the wamod console: screenshots/demo.gif and screenshots/demo.cast.

Run from the repository root (build first with `swift build`):

    python3 scripts/record-demo.py [--binary .build/debug/wamod] [--out screenshots]

Other options: --font-size 16  --timeout 20 (seconds to wait for expected text)
--frames DIR (also write every GIF frame as a PNG there, to look at them).

It runs `wamod demo --dialect waha` (the console against its embedded gateway emulator,
with demo data) in a pseudo-terminal of 100x30, with a state directory and audit log of its
own so it starts clean, and plays a short operator's story: move through the sessions, open
one, walk down to a group and open it, filter its participants by a number's digits, tag two,
ask to remove them and cancel at the confirmation, find the demo's spammer across every group
of every session and close the answer without removing, open the help, and quit. Before each
key it waits for the text the console should show by then (read from a VT100 emulation of the
screen), and fails with the screen's contents when that never comes.

Every chunk the console writes is kept with its time. demo.cast is that recording in
asciicast v2 (`asciinema play screenshots/demo.cast`). demo.gif replays the chunks into a pyte
screen, takes a frame when the screen has been still for a moment (or every half second while
it keeps changing), paints each with the Renderer of scripts/screenshots.py, and writes an
animated GIF with one shared palette that loops forever.

What it needs: pyte and Pillow (`python3 -m pip install pyte Pillow`) and the fonts
screenshots.py uses (fonts-dejavu-core, fonts-wqy-zenhei, optionally fonts-noto-color-emoji).
"""

from __future__ import annotations

import argparse
import codecs
import fcntl
import importlib.util
import json
import os
import pty
import re
import select
import shutil
import signal
import struct
import sys
import tempfile
import termios
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def load_screenshots():
    """scripts/screenshots.py as a module: its screen emulation and its Renderer."""
    sys.dont_write_bytecode = True   # leave no __pycache__ in scripts/
    spec = importlib.util.spec_from_file_location("screenshots", os.path.join(HERE, "screenshots.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules["screenshots"] = module
    spec.loader.exec_module(module)
    return module


shots = load_screenshots()
COLS, ROWS = shots.COLS, shots.ROWS           # 100x30, as the screenshots
SPAMMER = shots.DEMO_SPAMMER                  # +5511955501234, in groups of several sessions
TITLE = "wamod demo --dialect waha"

STILL = 0.15        # a frame once the screen has been still this long (seconds) ...
BUSY_FRAME = 0.5    # ... or this often while it keeps changing
LAST_HOLD = 3.0     # how long the GIF stays on its last frame before it starts again

KEYS = {"Enter": "\r", "Esc": "\x1b", "Space": " ", "Tab": "\t"}


class DemoError(RuntimeError):
    pass


def check_dependencies() -> None:
    missing = []
    for module, package in (("pyte", "pyte"), ("PIL", "Pillow"), ("wcwidth", "wcwidth")):
        if importlib.util.find_spec(module) is None:
            missing.append(package)
    if missing:
        sys.exit(f"record-demo: missing Python packages: python3 -m pip install {' '.join(missing)}")
    if not shots.mono_font_path():
        sys.exit("record-demo: no DejaVu Sans Mono (apt-get install fonts-dejavu-core)")
    if not shots.cjk_font_path():
        print("record-demo: no CJK font (fonts-wqy-zenhei); wide glyphs will be boxes", file=sys.stderr)


# --------------------------------------------------------------------------------------------
# The screen: screenshots.py's, plus the few controls ncurses sends that pyte lacks
# --------------------------------------------------------------------------------------------

def screen_class():
    import pyte
    base = type(shots.make_screen())   # also installs the C library's wcwidth into pyte

    class DemoScreen(base):
        """What screenshots.py paints, plus REP (repeat the last character), SU and SD
        (scroll the region up or down): ncurses uses them with TERM=xterm-256color."""

        last_char = " "

        def draw(self, data: str) -> None:
            super().draw(data)
            for ch in reversed(data):
                if pyte.screens.wcwidth(ch) > 0:
                    self.last_char = ch
                    break

        def repeat_last(self, count: int = 1, *args, **kwargs) -> None:
            if kwargs.get("private"):
                return
            self.draw(self.last_char * max(1, count or 1))

        def scroll_up(self, count: int = 1, *args, **kwargs) -> None:
            if kwargs.get("private"):
                return
            top, bottom = self.margins or (0, self.lines - 1)
            for _ in range(max(1, count or 1)):
                for y in range(top, bottom):
                    self.buffer[y] = self.buffer[y + 1]
                self.buffer.pop(bottom, None)
            self.dirty.update(range(self.lines))

        def scroll_down(self, count: int = 1, *args, **kwargs) -> None:
            if kwargs.get("private"):
                return
            top, bottom = self.margins or (0, self.lines - 1)
            for _ in range(max(1, count or 1)):
                for y in range(bottom, top, -1):
                    self.buffer[y] = self.buffer[y - 1]
                self.buffer.pop(top, None)
            self.dirty.update(range(self.lines))

    class DemoStream(pyte.Stream):
        csi = dict(pyte.Stream.csi, b="repeat_last", S="scroll_up", T="scroll_down")

    return DemoScreen, DemoStream


def new_screen():
    screen_type, stream_type = screen_class()
    screen = screen_type(COLS, ROWS)
    return screen, stream_type(screen)


def screen_key(screen) -> tuple:
    """Everything a frame shows (characters and their attributes), to compare frames."""
    return tuple(tuple(screen.buffer[y][x] for x in range(COLS)) for y in range(ROWS))


def screen_text(screen) -> str:
    return "\n".join(line.rstrip() for line in screen.display)


def highlighted_rows(screen) -> list[str]:
    """The text of rows with a bar of background colour across them: the cursor's row in the
    focused pane (the status line at the bottom left out)."""
    rows = []
    for y in range(ROWS - 1):
        row = screen.buffer[y]
        run, best, last = 0, 0, None
        for x in range(COLS):
            bg = row[x].bg
            if bg != "default" and bg == last:
                run += 1
            else:
                run = 1 if bg != "default" else 0
            last = bg
            best = max(best, run)
        if best >= 12:
            rows.append(screen.display[y])
    return rows


# --------------------------------------------------------------------------------------------
# The console in a pseudo-terminal
# --------------------------------------------------------------------------------------------

class Console:
    """`wamod demo` on a pty of its own; every chunk it writes is recorded with its time."""

    def __init__(self, argv: list[str], env: dict[str, str], timeout: float):
        self.timeout = timeout
        self.events: list[tuple[float, str]] = []
        self.lock = threading.Lock()
        self.screen, self.stream = new_screen()
        # Answers to the terminal's reports (cursor position, device status), should it ask.
        self.screen.write_process_input = self._answer
        self.start = time.monotonic()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: the console, on the pty's slave side
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        self.exit_status: int | None = None
        self.reap_lock = threading.Lock()
        self.closed = threading.Event()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _answer(self, data: str) -> None:
        try:
            os.write(self.fd, data.encode())
        except OSError:
            pass

    def _read(self) -> None:
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        while True:
            try:
                ready, _, _ = select.select([self.fd], [], [], 0.2)
                if not ready:
                    if self._reaped():
                        break
                    continue
                data = os.read(self.fd, 65536)
            except OSError:  # EIO: the console closed its side
                break
            if not data:
                break
            now = time.monotonic() - self.start
            text = decoder.decode(data)  # a character cut between two reads waits for the rest
            if text:
                with self.lock:
                    self.events.append((now, text))
                    self.stream.feed(text)
        rest = decoder.decode(b"", final=True)
        if rest:
            with self.lock:
                self.events.append((time.monotonic() - self.start, rest))
                self.stream.feed(rest)
        self.closed.set()

    def _reaped(self) -> bool:
        """Whether the console has exited (collecting its status once, from either thread)."""
        with self.reap_lock:
            if self.exit_status is not None:
                return True
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                pid, status = self.pid, 0
            if pid:
                self.exit_status = status
                return True
            return False

    def now(self) -> float:
        return time.monotonic() - self.start

    def text(self) -> str:
        with self.lock:
            return screen_text(self.screen)

    def send(self, *keys: str, gap: float = 0.12) -> None:
        """Keys by name (Enter, Esc, Space, Tab) or literal text, one character at a time at
        a typist's pace."""
        for key in keys:
            for ch in KEYS.get(key, key):
                os.write(self.fd, ch.encode())
                time.sleep(gap)

    def wait_for(self, *patterns: str, gone: tuple[str, ...] = (), timeout: float | None = None) -> str:
        """Until every regex in `patterns` is on screen and none of `gone` is; returns the
        screen's text."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            screen = self.text()
            if all(re.search(p, screen) for p in patterns) and not any(re.search(p, screen) for p in gone):
                return screen
            if self._reaped():
                raise DemoError(f"the console exited while waiting for {patterns!r}; its last screen:\n{screen}")
            if time.monotonic() > deadline:
                missing = [p for p in patterns if not re.search(p, screen)]
                present = [p for p in gone if re.search(p, screen)]
                raise DemoError(f"waited {timeout or self.timeout:.0f} s for {missing!r} to appear"
                                f"{f' and {present!r} to go' if present else ''}; the screen was:\n{screen}")
            time.sleep(0.05)

    def settle(self, quiet: float = 0.25, timeout: float = 5.0) -> None:
        """Until nothing new has come for `quiet` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                last = self.events[-1][0] if self.events else 0.0
            if self.now() - last >= quiet:
                return
            time.sleep(0.05)

    def cursor_on(self, pattern: str) -> bool:
        with self.lock:
            return any(re.search(pattern, row) for row in highlighted_rows(self.screen))

    def move_to(self, key: str, pattern: str, steps: int = 20, pause: float = 0.22) -> None:
        """Presses `key` until the cursor's row matches `pattern`."""
        for _ in range(steps):
            if self.cursor_on(pattern):
                return
            self.send(key, gap=0)
            self.settle(quiet=0.08)
            time.sleep(pause)
        if not self.cursor_on(pattern):
            raise DemoError(f"the cursor never reached {pattern!r} with {key!r}; the screen was:\n{self.text()}")

    def wait_exit(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._reaped():
                self.closed.wait(2)
                return True
            time.sleep(0.05)
        return False

    def kill(self) -> None:
        if self._reaped():
            return
        for sig, grace in ((signal.SIGTERM, 3.0), (signal.SIGKILL, 3.0)):
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass
            if self.wait_exit(grace):
                return

    def close(self) -> None:
        self.kill()
        self.reader.join(timeout=3)
        try:
            os.close(self.fd)
        except OSError:
            pass


# --------------------------------------------------------------------------------------------
# The story
# --------------------------------------------------------------------------------------------

def story(c: Console) -> float:
    """An operator's minute at the console. Returns the time the quit key was pressed."""
    pause = time.sleep
    c.wait_for(r"Groups \(support-br\)", r"Team Alpha\s+\d+ [OAM]", r"events: websocket")
    c.settle()
    pause(1.6)

    # The sessions: down to ops-eu and open it, then back up to support-br.
    c.send("j")
    pause(0.6)
    c.send("j")
    pause(0.6)
    c.send("Enter")
    c.wait_for(r"Groups \(ops-eu\)", r"Dev-Team München")
    pause(1.4)
    c.send("h")                                   # back to the sessions pane
    pause(0.6)
    c.send("k")
    pause(0.5)
    c.send("k")
    pause(0.5)
    c.send("Enter")
    c.wait_for(r"Groups \(support-br\)", r"Team Alpha\s+\d+ [OAM]")
    pause(1.0)

    # Down the groups to Team Alpha, and open it.
    c.move_to("j", r"Team Alpha")
    pause(0.6)
    c.send("Enter")
    c.wait_for(r"Participants · Team Alpha \(\d+\)", r"\+\d{10,}")
    c.settle()
    pause(1.8)

    # Filter by a number's digits, keep the filter, tag two.
    c.send("/")
    c.wait_for(r"/_")
    pause(0.4)
    c.send("5", "5", "5", gap=0.25)
    c.wait_for(r"/555_? +\d+/\d+")
    pause(1.0)
    c.send("Enter")
    c.wait_for(r"/555 +\d+/\d+", gone=(r"/555_",))
    pause(0.8)
    c.send("Space")
    c.wait_for(r"tagged 1\b")
    pause(0.5)
    c.send("Space")
    c.wait_for(r"tagged 2\b")
    pause(1.0)

    # Ask to remove them: the confirmation says what will happen to each; cancel it.
    c.send("x")
    c.wait_for(r"Remove 2 participants", r"will be removed")
    c.settle()
    pause(3.2)
    c.send("Esc")
    c.wait_for(r"tagged 2\b", gone=(r"will be removed",))
    pause(1.2)

    # Find the spammer in every group of every session (the index answers at once, with when
    # each group was seen); close the answer without removing.
    c.send("f")
    c.wait_for(r"find \(number or JID\)")
    pause(0.5)
    c.send(SPAMMER, gap=0.07)
    c.wait_for(r"find \(number or JID\): " + re.escape(SPAMMER[:6]))   # the status line cuts it
    c.settle()
    pause(0.6)
    c.send("Enter")
    c.wait_for(r"is in \d+ groups?", r"Esc close", gone=(r"Esc stops",))
    c.settle()
    pause(3.5)
    c.send("Esc")
    c.wait_for(r"tagged 2\b", gone=(r"is in \d+ group", r"find \(number or JID\)"))
    pause(1.2)

    # The help, generated from the key table, and out.
    c.send("?")
    c.wait_for(r"┌ Help")
    c.settle()
    pause(2.2)
    c.send("j", "j", "j", "j", gap=0.2)
    c.settle()
    pause(1.5)
    c.send("Esc")
    c.wait_for(r"tagged 2\b", gone=(r"┌ Help",))
    pause(1.2)
    quit_at = c.now()
    c.send("q")
    return quit_at


# --------------------------------------------------------------------------------------------
# Writing the recording
# --------------------------------------------------------------------------------------------

def write_cast(path: str, events: list[tuple[float, str]], started: float) -> float:
    header = {
        "version": 2,
        "width": COLS,
        "height": ROWS,
        "timestamp": int(started),
        "env": {"TERM": "xterm-256color", "SHELL": os.environ.get("SHELL", "/bin/sh")},
        "title": TITLE,
    }
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps(header) + "\n")
        for t, data in events:
            f.write(json.dumps([round(t, 6), "o", data], ensure_ascii=False) + "\n")
    return events[-1][0] if events else 0.0


def take_frames(events: list[tuple[float, str]], until: float) -> list[tuple[float, tuple, object]]:
    """Replays the chunks; returns (time, key, screen copy) for every frame worth showing."""
    import copy
    screen, stream = new_screen()
    frames: list[tuple[float, tuple, object]] = []
    since = 0.0       # when the screen last started changing, or the last frame was taken
    previous = None
    for i, (t, data) in enumerate(events):
        if t > until:
            break
        if previous is None or t - previous >= STILL:
            since = t     # a burst of drawing begins after a still screen
        previous = t
        stream.feed(data)
        following = events[i + 1][0] if i + 1 < len(events) else None
        still = following is None or following > until or following - t >= STILL
        busy = t - since >= BUSY_FRAME
        if not (still or busy):
            continue
        since = t
        key = screen_key(screen)
        if frames and frames[-1][1] == key:
            continue
        if not any(ch.data.strip() for row in key for ch in row):
            continue  # the blank terminal before the first screen
        frames.append((t, key, copy.deepcopy(screen.buffer)))
    return frames


class BufferView:
    """What Renderer.render reads of a screen: its buffer."""

    def __init__(self, buffer):
        self.buffer = buffer


def write_gif(path: str, frames, font_size: int, frames_dir: str | None) -> int:
    from PIL import Image

    renderer = shots.Renderer(font_size)
    tmp = tempfile.mkdtemp(prefix="wamod-demo-frames-")
    images = []
    rendered: dict[tuple, Image.Image] = {}
    try:
        for n, (_t, key, buffer) in enumerate(frames):
            if key not in rendered:
                png = os.path.join(tmp, f"frame-{n:04d}.png")
                renderer.render(BufferView(buffer), png)   # the Renderer writes a file
                with Image.open(png) as im:
                    rendered[key] = im.convert("RGB")
            images.append(rendered[key])
            if frames_dir:
                images[-1].save(os.path.join(frames_dir, f"frame-{n:04d}.png"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    durations = []
    for n, (t, _key, _buf) in enumerate(frames):
        end = frames[n + 1][0] if n + 1 < len(frames) else t + LAST_HOLD
        durations.append(max(20, int(round((end - t) * 1000))))
    # The last screen before quitting holds a little longer than the pause before the key.
    durations[-1] = max(durations[-1], int(LAST_HOLD * 1000))

    # One palette for every frame, from a strip of frames spread over the story, so colours do
    # not shift from frame to frame; no dithering, so text stays crisp and frames compress.
    unique = list({id(im): im for im in images}.values())
    sample = unique[:: max(1, len(unique) // 12)][:12]
    w, h = sample[0].size
    strip = Image.new("RGB", (w, h * len(sample)))
    for i, im in enumerate(sample):
        strip.paste(im, (0, i * h))
    palette = strip.quantize(colors=128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    quantized: dict[int, Image.Image] = {}
    out = []
    for im in images:
        if id(im) not in quantized:
            quantized[id(im)] = im.quantize(palette=palette, dither=Image.Dither.NONE)
        out.append(quantized[id(im)])
    out[0].save(path, save_all=True, append_images=out[1:], duration=durations, loop=0,
                optimize=True, disposal=1)
    return len(out)


# --------------------------------------------------------------------------------------------

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build", "debug", "wamod"))
    ap.add_argument("--out", default=os.path.join(ROOT, "screenshots"))
    ap.add_argument("--font-size", type=int, default=16)
    ap.add_argument("--timeout", type=float, default=20.0, help="seconds to wait for expected text")
    ap.add_argument("--frames", metavar="DIR", help="also write every GIF frame as a PNG in DIR")
    args = ap.parse_args()

    check_dependencies()
    binary = os.path.abspath(args.binary)
    if not os.access(binary, os.X_OK):
        sys.exit(f"record-demo: no binary at {binary}; run `swift build` first")
    os.makedirs(args.out, exist_ok=True)
    if args.frames:
        os.makedirs(args.frames, exist_ok=True)

    state = tempfile.mkdtemp(prefix="wamod-demo-state-")
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TMUX", "COLUMNS", "LINES")}
    env.update({
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "XDG_STATE_HOME": state,                       # no journal left from another run
        "WAMOD_AUDIT": os.path.join(state, "audit.jsonl"),
        "WAMOD_CONFIG": "/nonexistent",                # no profile of the user's
    })
    started = time.time()
    console = Console([binary, "demo", "--dialect", "waha"], env, args.timeout)
    try:
        quit_at = story(console)
        if not console.wait_exit(10):
            raise DemoError(f"the console did not quit after q; its screen:\n{console.text()}")
    finally:
        console.close()                                # on an error, it ends the console
        shutil.rmtree(state, ignore_errors=True)
    status = console.exit_status
    if status is not None and os.WIFEXITED(status) and os.WEXITSTATUS(status) != 0:
        print(f"record-demo: the console exited with {os.WEXITSTATUS(status)}", file=sys.stderr)

    events = console.events
    cast = os.path.join(args.out, "demo.cast")
    duration = write_cast(cast, events, started)
    print(f"record-demo: wrote {os.path.relpath(cast)} ({len(events)} chunks, {duration:.1f} s)")

    frames = take_frames(events, quit_at)
    if not frames:
        raise DemoError("nothing to show: the recording has no screen")
    gif = os.path.join(args.out, "demo.gif")
    count = write_gif(gif, frames, args.font_size, args.frames)
    size = os.path.getsize(gif)
    print(f"record-demo: wrote {os.path.relpath(gif)} ({count} frames, {size / 1e6:.2f} MB)")
    if size > 3e6:
        print("record-demo: the GIF is over 3 MB; try a smaller --font-size", file=sys.stderr)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except DemoError as e:
        sys.exit(f"record-demo: {e}")
