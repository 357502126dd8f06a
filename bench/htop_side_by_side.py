#!/usr/bin/env python3
"""The wamod console side by side with htop 3.2: keystroke time, bytes per keystroke against
the least the screen change needed, first paint, CPU and memory, in one run.

Both programs are full-screen ncurses programs with a long list and a cursor in it, so the
same keys can be compared: a cursor move (Down), a one-row scroll, a character typed into a
filter. Each program runs on its own pseudo-terminal, the same for both: --size (default
120x35) set with TIOCSWINSZ, TERM=xterm-256color, LANG=LC_ALL=C.UTF-8, NO_COLOR and
ESCDELAY removed from the environment (so ncurses waits its default 25 ms after Esc).

  wamod   `<binary> console` against an external emulator, `wamod sim --fixture large
          --seed 1 --dialect v1 --rate 0` on a free loopback port (one emulator for the whole
          run), with a temporary config file (WAMOD_CONFIG) holding `[profile bench]`
          (dialect v1, its URL, token_env WAMOD_TOKEN; fleet.profile_file also writes
          pace_per_minute and poll_interval = 3600s, and this script
          sync_reads_per_minute = --index-reads-per-minute, default 1) and
          WAMOD_PROFILE=bench, and with --index warm (the default) one XDG_STATE_HOME and
          WAMOD_AUDIT for all runs, after an unmeasured first start on an empty index (every
          measured start finds the index a previous start left; the first start's CPU is
          reported too), with --index cold a fresh one per run (an empty index every time).
          The console's background indexer then starts
          reading the fleet; at its default pace (30 reads per session per minute, 8 sessions
          at once) it writes to the log and status line every few tens of milliseconds and
          uses ~8 % of a CPU, which lands in the keys' bursts; at 1 read per minute it is
          quiet, the same reason htop gets -d 100 (--index-reads-per-minute 0 measures the
          console's default). The console
          opens the first session itself; the script presses Enter (focus to the groups), `/`,
          the last nine digits of the 1,024-member group's JID (looked up first with
          console_latency.find_big_group: 120363000000000856@g.us with seed 1), Enter (keep
          the filter), Enter (open the group; focus moves to its participants), and waits
          until `owner` or `admin` is drawn and 1 s of quiet. Keys are pressed in the
          participants pane.
  htop    `htop --no-mouse -d 100 --sort-key PID` (10 s between refreshes, so it hardly
          refreshes during the keys; a stable order) with HOME and XDG_CONFIG_HOME set to an
          empty temporary directory, so no user htoprc applies. If there are too few tasks for
          the list to scroll --keys/2 times past its first page, `sleep 3600` children are
          started for the run (and killed at the end).

For every measured key: t0 = perf_counter() before os.write() of the key's bytes to the pty
master; the script then reads until the pty has been silent for --idle-ms (default 25 ms):
  time  = arrival of the last byte of that burst - t0 (the trailing silence is not counted;
          timed as read: the screen model is fed after the burst);
  bytes = every byte of the burst;
  bound = the least the screen change needed (below); bytes/bound is reported per key.
Anything that arrives between keys is read first and counted as stray (not part of a key).
No wait for a first byte is longer than 5 s and no burst is read for longer than 10 s.

The keys, per run and program (N = --keys, default 50; bytes are xterm's in keypad-transmit
mode, which both programs turn on):
  Down, cursor move   `ESC O B`. From the first row (wamod `g`, htop Home `ESC O H`), Down is
                      pressed until the list scrolls; that tells how many moves a page holds.
                      Moves are then collected, back to the first row whenever the cursor is on
                      the page's last row, until there are N. Every Down is classified from the
                      screen model: a cursor move changes few rows, a scroll changes most of
                      the list's rows (at least max(6, rows/4) rows).
  one-row scroll      Down with the cursor on the page's last visible row: the list moves by one
                      row. ceil(N/2) of them, after the moves.
  filter character    wamod: `/` opens the filter of the participants pane, then `a` `n` `a`,
                      Esc clears it; htop: F4 (`ESC O S`) opens its filter bar, then `a` `n` `a`,
                      Esc. 3 x ceil(N/6) characters; each character is a sample (`/`, F4 and Esc
                      are not).
  Tab (wamod only)    Tab x 4 (back to the participants pane), ceil(N/20) times. Tab in htop 3.2
                      switches the side panel of its setup screens, nothing comparable: n/a.
  wide scroll         wamod only, after the Tabs: `Z` shows the participants pane alone across
                      the terminal's width, Down until ceil(N/2) Downs have scrolled the list,
                      `Z` again. Its bytes and time are shown beside htop's one-row scroll
                      (htop's list spans the width too).
Other figures:
  first paint         exec (pty.fork) -> last byte before 0.5 s of quiet, once the model's
                      screen shows the list (htop: the `PID` header and a process row under it;
                      wamod: `Sessions` and the first session, `line-01`). Bytes: all of it.
  CPU                 utime+stime of the whole process (all threads: /proc/PID/stat, clock ticks,
                      10 ms resolution), read right after the N cursor moves (start + the keys
                      so far: for wamod that includes the 13 keys that open the group, for both
                      the first-row keys and the first scroll) and at the end of the run, before
                      quitting. The tables say how many keys each figure covers.
  peak memory         VmHWM from /proc/PID/status at the end, before quitting; and the peak RSS
                      of `--version` alone (`/usr/bin/time -f %M`), for both programs.
Each figure is computed per run (median, p90 = nearest rank) and the table shows the median over
--runs (default 3) runs; ratio = wamod / htop.

The bound. The script keeps a model of each screen: a small terminal emulator (class Screen)
that consumes both programs' output: UTF-8 text with wide characters (east_asian_width W/F take
2 cells, combining marks join the previous cell), deferred autowrap, CR LF BS HT, CUP, CUU/CUD/
CUF/CUB, CNL/CPL, CHA/HPA, VPA, EL, ED, ECH, ICH, DCH, IL, DL, SU/SD, REP, DECSTBM scrolling
regions, IND/RI/NEL, save/restore cursor, the alternate screen (?1049/?1047/?47), G0/G1
designations with DEC line drawing and SO/SI, SGR kept per cell as an opaque canonical string
(erased cells take the current background: xterm's bce); other private modes, OSC/DCS strings
and window operations are ignored. For one key it compares the model's screen before and after:
each maximal run of changed cells in a row costs a cursor move (the length of `ESC[r;cH`, or 0
if the run starts where the previous run's writing left the cursor, the first run counting from
where the cursor was before the key), plus an SGR (`ESC[0;...m`, or `ESC[m` for the default)
wherever a cell's attributes differ from those in effect, plus the UTF-8 bytes of the cells'
characters. The sum over all runs is the bound.
Caveats of the bound: it is an approximation, not a true minimum. Terminal scrolling (DECSTBM +
IND/RI, IL/DL), erase (EL/ECH), repeat (REP), insert/delete character and shorter cursor moves
(CR, LF, BS, CHA) can each beat it, so bytes/bound can be below 1 (a one-row scroll sent as a
scroll is the typical case); line-drawing characters count their UTF-8 bytes (3) although ACS
sends 1. Above 1 means bytes beyond what the visible change needs (the cursor parked somewhere,
redundant SGRs, cells rewritten unchanged).
The model and the bound are checked:
  * on every run, after the first paint, the model's text must contain `PID` (htop) or
    `Sessions` (wamod);
  * for every measured key, the bound's own bytes (the cursor moves, SGRs and characters it
    counts) are replayed onto a copy of the model's screen before the key, which must then equal
    the screen after it (the notes say for how many keys this held);
  * with --check-model, each program's whole output is recorded and replayed, cut at a few
    points (first paint, list ready, after the moves, the scrolls, the filter, the tabs, the
    end), into a detached tmux pane of the same size (a real terminal emulator); its
    `capture-pane -e` (text and SGR attributes) is read back and compared with the model's
    screen at the same point: text row by row, attributes cell by cell;
  * --self-test runs the model's unit cases (wrap, wide characters, scrolling regions, IL/DL,
    ICH/DCH/ECH, REP, charsets, alternate screen, the bound on small cases) and exits.

Other caveats: a pty, not SSH (no round trip, no bandwidth limit); the idle threshold is a guess
at "done" (output after a longer pause counts as stray); wall times on a shared machine spread
upwards (CPU is steadier); htop's periodic refresh (every 10 s) can land in a key's burst (the
medians take that); the programs do different work per key (htop filters ~100 processes,
wamod 1,024 members), which is the point of a side by side, not a like-for-like.

Standard library only (Python 3.11, Linux). Prints a Markdown table and writes JSON
(bench/htop-results.json by default; --json - for none). See bench/README.md.
"""

from __future__ import annotations

import argparse
import codecs
import datetime as _dt
import json
import math
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from console_latency import Console, find_big_group, pct, plain  # noqa: E402
from fleet import Sim, peak_kb, profile_file  # noqa: E402

DOWN = b"\x1bOB"  # kcud1 in keypad-transmit mode (both programs send smkx)
HOME = b"\x1bOH"  # khome
F4 = b"\x1bOS"    # kf4
ESC = b"\x1b"
TAB = b"\t"

FIRST_TIMEOUT = 5.0   # longest wait for the first byte of a measured key
BURST_MAX = 10.0      # longest a burst is read
QUIET_FIRST_PAINT = 0.5


# --------------------------------------------------------------------------------------
# A model of the terminal's screen


DEC_GRAPHICS = {
    "`": "◆", "a": "▒", "b": "␉", "c": "␌", "d": "␍", "e": "␊", "f": "°", "g": "±", "h": "␤", "i": "␋",
    "j": "┘", "k": "┐", "l": "┌", "m": "└", "n": "┼", "o": "⎺", "p": "⎻", "q": "─", "r": "⎼", "s": "⎽",
    "t": "├", "u": "┤", "v": "┴", "w": "┬", "x": "│", "y": "≤", "z": "≥", "{": "π", "|": "≠", "}": "£", "~": "·",
}

CSI_RE = re.compile(r"\x1b\[([<=>?]?)([0-9;:]*)([ -/]*)([@-~])")
CSI_PARTIAL_RE = re.compile(r"\x1b\[[<=>?]?[0-9;:]*[ -/]*\Z")
PRINTABLE_RE = re.compile(r"[^\x00-\x1f\x7f-\x9f]+")


def cell_width(ch: str) -> int:
    if unicodedata.combining(ch) or ch in "\u200b\u200c\u200d\u2060\ufeff" or "\ufe00" <= ch <= "\ufe0f":
        return 0
    cat = unicodedata.category(ch)
    if cat in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


class Screen:
    """A minimal xterm: enough of ECMA-48/VT100/xterm for what ncurses sends with
    TERM=xterm-256color. Cells hold a character ("" for the right half of a wide one) and an
    opaque attribute string (canonical SGR parameters, "" = default)."""

    def __init__(self, cols: int, rows: int):
        self.cols, self.rows = cols, rows
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._pending = ""
        self.ignored: dict[str, int] = {}  # sequences seen and not modelled (for the record)
        self.reset()

    # state ---------------------------------------------------------------------------

    def reset(self):
        self.chars = [[" "] * self.cols for _ in range(self.rows)]
        self.attrs = [[""] * self.cols for _ in range(self.rows)]
        self.r = self.c = 0
        self.wrap = False
        self.top, self.bot = 0, self.rows - 1
        self.autowrap = True
        self.flags: set[int] = set()
        self.fg = self.bg = ""
        self.g = ["B", "B"]
        self.gl = 0
        self.saved = None
        self.main_saved = None  # the main screen while the alternate one is shown
        self.last_char = None

    @property
    def sgr(self) -> str:
        parts = [str(f) for f in sorted(self.flags)]
        if self.fg:
            parts.append(self.fg)
        if self.bg:
            parts.append(self.bg)
        return ";".join(parts)

    def blank_attr(self) -> str:
        return self.bg  # erased cells take the background colour only (bce)

    def snapshot(self):
        return ([row[:] for row in self.chars], [row[:] for row in self.attrs], (self.r, self.c, self.wrap), self.sgr)

    def lines(self) -> list[str]:
        return ["".join(row).rstrip() for row in self.chars]

    def text(self) -> str:
        return "\n".join(self.lines())

    # input -----------------------------------------------------------------------------

    def feed(self, data: bytes):
        s = self._pending + self._decoder.decode(data)
        self._pending = ""
        i, n = 0, len(s)
        while i < n:
            ch = s[i]
            if ch == "\x1b":
                j = self._escape(s, i)
                if j is None:  # incomplete: keep for the next feed
                    self._pending = s[i:]
                    if len(self._pending) > 8192:  # a broken string: drop it
                        self._pending = ""
                    return
                i = j
                continue
            if ch < " " or "\x7f" <= ch <= "\x9f":
                self._control(ch)
                i += 1
                continue
            m = PRINTABLE_RE.match(s, i)
            for c in m.group(0):
                self._print(c)
            i = m.end()

    def _control(self, ch: str):
        if ch == "\r":
            self.c = 0
            self.wrap = False
        elif ch in "\n\x0b\x0c":
            self._index()
        elif ch == "\b":
            if self.wrap:
                self.wrap = False
            if self.c > 0:
                self.c -= 1
        elif ch == "\t":
            self.c = min(self.cols - 1, (self.c // 8 + 1) * 8)
            self.wrap = False
        elif ch == "\x0e":
            self.gl = 1
        elif ch == "\x0f":
            self.gl = 0
        # BEL, NUL, DEL, C1 and the rest: nothing on screen

    def _escape(self, s: str, i: int):
        """Handles the escape sequence at s[i]; returns the index after it, or None when
        s ends before the sequence does."""
        if i + 1 >= len(s):
            return None
        k = s[i + 1]
        if k == "[":
            m = CSI_RE.match(s, i)
            if m:
                self._csi(m.group(1), m.group(2), m.group(3), m.group(4))
                return m.end()
            if CSI_PARTIAL_RE.match(s, i):
                return None
            self._note("ESC[ malformed")
            return i + 2
        if k in "]P_^X":  # OSC / DCS / APC / PM / SOS: up to BEL or ST
            j = i + 2
            while j < len(s):
                if s[j] == "\x07" and k == "]":
                    return j + 1
                if s[j] == "\x1b":
                    if j + 1 >= len(s):
                        return None
                    if s[j + 1] == "\\":
                        return j + 2
                if s[j] == "\x9c":
                    return j + 1
                j += 1
            return None
        if k in "()*+-./":
            if i + 2 >= len(s):
                return None
            slot = "()*+-./".index(k) % 4
            if slot < 2:
                self.g[slot] = s[i + 2]
            return i + 3
        if k in "#% ":
            return None if i + 2 >= len(s) else i + 3
        if k == "7":
            self._save()
        elif k == "8":
            self._restore()
        elif k == "D":
            self._index()
        elif k == "E":
            self.c = 0
            self._index()
        elif k == "M":
            self._rindex()
        elif k == "c":
            self.reset()
        elif k in "=>H\\":
            pass  # keypad modes, tab stop (tabs stay every 8 columns), a stray ST
        else:
            self._note("ESC " + k)
        return i + 2

    def _note(self, what: str):
        self.ignored[what] = self.ignored.get(what, 0) + 1

    # printing --------------------------------------------------------------------------

    def _break_wide(self, r: int, c: int):
        """Cell (r, c) is about to change: a wide character it is half of becomes blanks."""
        row = self.chars[r]
        if row[c] == "" and c > 0:
            row[c - 1] = " "
        if c + 1 < self.cols and row[c + 1] == "" and row[c] != "":
            row[c + 1] = " "

    def _print(self, ch: str):
        if self.g[self.gl] == "0":
            ch = DEC_GRAPHICS.get(ch, ch)
        w = cell_width(ch)
        if w == 0:  # joins the previous cell
            r, c = self.r, self.c if self.wrap else self.c - 1
            if c >= 0:
                if self.chars[r][c] == "" and c > 0:
                    c -= 1
                self.chars[r][c] += ch
            return
        if self.wrap and self.autowrap:
            self.c = 0
            self._index()
        self.wrap = False
        if w == 2 and self.c == self.cols - 1:
            if self.autowrap:
                self.c = 0
                self._index()
            else:
                w = 1
        r, c = self.r, self.c
        attr = self.sgr
        self._break_wide(r, c)
        if w == 2:
            self._break_wide(r, c + 1)
        self.chars[r][c] = ch
        self.attrs[r][c] = attr
        if w == 2:
            self.chars[r][c + 1] = ""
            self.attrs[r][c + 1] = attr
        self.last_char = ch
        if c + w >= self.cols:
            self.c = self.cols - 1
            self.wrap = self.autowrap
        else:
            self.c = c + w

    # lines and scrolling ---------------------------------------------------------------

    def _blank_row(self):
        return [" "] * self.cols, [self.blank_attr()] * self.cols

    def _scroll_up(self, n: int, top: int, bot: int):
        n = min(n, bot - top + 1)
        for _ in range(n):
            del self.chars[top]
            del self.attrs[top]
            ch, at = self._blank_row()
            self.chars.insert(bot, ch)
            self.attrs.insert(bot, at)

    def _scroll_down(self, n: int, top: int, bot: int):
        n = min(n, bot - top + 1)
        for _ in range(n):
            del self.chars[bot]
            del self.attrs[bot]
            ch, at = self._blank_row()
            self.chars.insert(top, ch)
            self.attrs.insert(top, at)

    def _index(self):
        self.wrap = False
        if self.r == self.bot:
            self._scroll_up(1, self.top, self.bot)
        elif self.r < self.rows - 1:
            self.r += 1

    def _rindex(self):
        self.wrap = False
        if self.r == self.top:
            self._scroll_down(1, self.top, self.bot)
        elif self.r > 0:
            self.r -= 1

    def _erase(self, r: int, c0: int, c1: int):
        """Blanks cells [c0, c1) of row r."""
        c0, c1 = max(0, c0), min(self.cols, c1)
        if c0 >= c1:
            return
        self._break_wide(r, c0)
        self._break_wide(r, c1 - 1)
        a = self.blank_attr()
        for c in range(c0, c1):
            self.chars[r][c] = " "
            self.attrs[r][c] = a

    # cursor ----------------------------------------------------------------------------

    def _save(self):
        self.saved = (self.r, self.c, set(self.flags), self.fg, self.bg, list(self.g), self.gl, self.wrap)

    def _restore(self):
        if self.saved is None:
            self.r = self.c = 0
            self.wrap = False
            return
        self.r, self.c, flags, self.fg, self.bg, g, self.gl, self.wrap = self.saved
        self.flags, self.g = set(flags), list(g)
        self.r = min(self.r, self.rows - 1)
        self.c = min(self.c, self.cols - 1)

    def _clamp(self):
        self.r = max(0, min(self.rows - 1, self.r))
        self.c = max(0, min(self.cols - 1, self.c))
        self.wrap = False

    # CSI -------------------------------------------------------------------------------

    def _csi(self, private: str, params: str, inter: str, final: str):
        ps = []
        for p in params.split(";") if params else []:
            p = p.split(":")[0]
            ps.append(int(p) if p.isdigit() else 0)
        p1 = ps[0] if ps else 0
        n = max(1, p1)  # a count: 0 or missing = 1

        if private == "?":
            if final in "hl":
                on = final == "h"
                for mode in ps:
                    if mode in (1049, 1047, 47):
                        self._alternate(on, mode)
                    elif mode == 7:
                        self.autowrap = on
                        if not on:
                            self.wrap = False
                    # 1 (cursor keys), 25 (cursor), 12, 1000..1006 (mouse), 2004, ...: not on screen
                return
            self._note(f"CSI ?{final}")
            return
        if private or (inter and not (inter == "!" and final == "p")):
            self._note(f"CSI {private}{inter}{final}")  # e.g. ESC[>4;1m, ESC[ q (cursor shape)
            return

        if final == "m":
            self._sgr(ps or [0])
        elif final in "Hf":
            self.r = (ps[0] if ps and ps[0] else 1) - 1
            self.c = (ps[1] if len(ps) > 1 and ps[1] else 1) - 1
            self._clamp()
        elif final == "A":
            lo = self.top if self.r >= self.top else 0
            self.r = max(lo, self.r - n)
            self._clamp()
        elif final in "Be":
            hi = self.bot if self.r <= self.bot else self.rows - 1
            self.r = min(hi, self.r + n)
            self._clamp()
        elif final in "Ca":
            self.c = min(self.cols - 1, self.c + n)
            self.wrap = False
        elif final == "D":
            self.c = max(0, self.c - n)
            self.wrap = False
        elif final == "E":
            self.r = min(self.bot if self.r <= self.bot else self.rows - 1, self.r + n)
            self.c = 0
            self._clamp()
        elif final == "F":
            self.r = max(self.top if self.r >= self.top else 0, self.r - n)
            self.c = 0
            self._clamp()
        elif final in "G`":
            self.c = n - 1
            self._clamp()
        elif final == "d":
            self.r = n - 1
            self._clamp()
        elif final == "I":
            for _ in range(n):
                self.c = min(self.cols - 1, (self.c // 8 + 1) * 8)
            self.wrap = False
        elif final == "Z":
            for _ in range(n):
                self.c = max(0, (self.c - 1) // 8 * 8)
            self.wrap = False
        elif final == "K":
            self.wrap = False
            if p1 == 0:
                self._erase(self.r, self.c, self.cols)
            elif p1 == 1:
                self._erase(self.r, 0, self.c + 1)
            elif p1 == 2:
                self._erase(self.r, 0, self.cols)
        elif final == "J":
            self.wrap = False
            if p1 == 0:
                self._erase(self.r, self.c, self.cols)
                for r in range(self.r + 1, self.rows):
                    self._erase(r, 0, self.cols)
            elif p1 == 1:
                for r in range(0, self.r):
                    self._erase(r, 0, self.cols)
                self._erase(self.r, 0, self.c + 1)
            elif p1 in (2, 3):
                for r in range(self.rows):
                    self._erase(r, 0, self.cols)
        elif final == "X":
            self.wrap = False
            self._erase(self.r, self.c, self.c + n)
        elif final == "@":
            self.wrap = False
            r, c = self.r, self.c
            self._break_wide(r, c)
            self._break_wide(r, self.cols - 1)
            n = min(n, self.cols - c)
            a = self.blank_attr()
            self.chars[r][c:] = ([" "] * n + self.chars[r][c:])[: self.cols - c]
            self.attrs[r][c:] = ([a] * n + self.attrs[r][c:])[: self.cols - c]
            if self.chars[r][-1 + self.cols] == "" and self.cols >= 2 and self.chars[r][self.cols - 2] == "":
                self.chars[r][self.cols - 1] = " "
        elif final == "P":
            self.wrap = False
            r, c = self.r, self.c
            self._break_wide(r, c)
            n = min(n, self.cols - c)
            if c + n < self.cols:
                self._break_wide(r, c + n)
            a = self.blank_attr()
            self.chars[r][c:] = self.chars[r][c + n:] + [" "] * n
            self.attrs[r][c:] = self.attrs[r][c + n:] + [a] * n
        elif final == "L":
            if self.top <= self.r <= self.bot:
                self._scroll_down(n, self.r, self.bot)
                self.c = 0
                self.wrap = False
        elif final == "M":
            if self.top <= self.r <= self.bot:
                self._scroll_up(n, self.r, self.bot)
                self.c = 0
                self.wrap = False
        elif final == "S":
            self._scroll_up(n, self.top, self.bot)
        elif final == "T":
            if len(ps) <= 1:  # with 5 parameters it is xterm's mouse-tracking request
                self._scroll_down(n, self.top, self.bot)
        elif final == "b":
            if self.last_char is not None:
                for _ in range(min(n, self.cols * self.rows)):
                    self._print_raw(self.last_char)
        elif final == "r":
            top = (ps[0] if ps and ps[0] else 1) - 1
            bot = (ps[1] if len(ps) > 1 and ps[1] else self.rows) - 1
            bot = min(bot, self.rows - 1)
            if 0 <= top < bot:
                self.top, self.bot = top, bot
                self.r = self.c = 0
                self.wrap = False
        elif final == "s":
            self._save()
        elif final == "u":
            self._restore()
        elif final == "p" and inter == "!":  # DECSTR, soft reset
            self.flags, self.fg, self.bg = set(), "", ""
            self.top, self.bot = 0, self.rows - 1
            self.autowrap = True
            self.g, self.gl = ["B", "B"], 0
            self.saved = None
        else:
            self._note(f"CSI {final}")  # t (window ops), n (reports), c (DA), h/l (ANSI modes), g (tabs)...

    def _print_raw(self, ch: str):
        """REP repeats the character as it was drawn (after charset mapping)."""
        g, self.g = self.g, ["B", "B"]
        try:
            self._print(ch)
        finally:
            self.g = g

    def _sgr(self, ps: list[int]):
        i = 0
        while i < len(ps):
            p = ps[i]
            if p == 0:
                self.flags, self.fg, self.bg = set(), "", ""
            elif p in (1, 2, 3, 4, 5, 7, 8, 9):
                self.flags.add(p)
            elif p == 21:
                self.flags.add(4)
            elif p == 22:
                self.flags -= {1, 2}
            elif p in (23, 24, 25, 27, 28, 29):
                self.flags.discard(p - 20)
            elif 30 <= p <= 37 or 90 <= p <= 97:
                self.fg = str(p)
            elif p == 39:
                self.fg = ""
            elif 40 <= p <= 47 or 100 <= p <= 107:
                self.bg = str(p)
            elif p == 49:
                self.bg = ""
            elif p in (38, 48) and i + 1 < len(ps):
                if ps[i + 1] == 5 and i + 2 < len(ps):
                    v = f"{p};5;{ps[i + 2]}"
                    i += 2
                elif ps[i + 1] == 2 and i + 4 < len(ps):
                    v = f"{p};2;{ps[i + 2]};{ps[i + 3]};{ps[i + 4]}"
                    i += 4
                else:
                    v = ""
                    i += 1
                if p == 38:
                    self.fg = v
                else:
                    self.bg = v
            i += 1

    def _alternate(self, on: bool, mode: int):
        if on:
            if self.main_saved is None:
                self.main_saved = ([row[:] for row in self.chars], [row[:] for row in self.attrs])
            if mode == 1049:
                self._save()
            for r in range(self.rows):
                self._erase(r, 0, self.cols)
        else:
            if self.main_saved is not None:
                self.chars, self.attrs = self.main_saved
                self.main_saved = None
            if mode == 1049:
                self._restore()


def sgr_seq(attr: str) -> str:
    return f"\x1b[0;{attr}m" if attr else "\x1b[m"


def bound(before, after) -> dict:
    """The least bytes that turn screen `before` into screen `after` (snapshots), by the rule
    in the module docstring; also the number of rows and cells that changed. The bytes
    themselves are built (`writes`) so that they can be replayed onto `before` to check that
    they do produce `after` (verify_bound)."""
    bchars, battrs, (cr, cc, wrap), attr = before
    achars, aattrs, _, _ = after
    cols = len(achars[0]) if achars else 0
    if wrap:  # a character written now would land at the start of the next row
        cr, cc = cr + 1, 0
    out: list[str] = []
    rows_changed = 0
    cells = 0
    for r in range(len(achars)):
        ac, aa, bc, ba = achars[r], aattrs[r], bchars[r], battrs[r]
        if ac == bc and aa == ba:
            continue
        rows_changed += 1
        c = 0
        while c < cols:
            if ac[c] == bc[c] and aa[c] == ba[c]:
                c += 1
                continue
            start = c
            if ac[start] == "" and start > 0:  # the right half of a wide character: from its left half
                start -= 1
            while c < cols and (ac[c] != bc[c] or aa[c] != ba[c] or ac[c] == ""):
                c += 1
            if (r, start) != (cr, cc):
                out.append(f"\x1b[{r + 1};{start + 1}H")
            for k in range(start, c):
                if ac[k] == "":
                    continue
                if aa[k] != attr:
                    out.append(sgr_seq(aa[k]))
                    attr = aa[k]
                out.append(ac[k])
                cells += 1
            cr, cc = (r, c) if c < cols else (r + 1, 0)
    writes = "".join(out).encode()
    return {"bound": len(writes), "rows_changed": rows_changed, "cells_changed": cells, "writes": writes}


def verify_bound(before, after, writes: bytes) -> bool:
    """Replays the bound's bytes onto a model holding `before`: they must give `after`."""
    chars, attrs, (r, c, wrap), attr = before
    s = Screen(len(chars[0]), len(chars))
    s.feed(sgr_seq(attr).encode())
    s.chars, s.attrs = [row[:] for row in chars], [row[:] for row in attrs]
    s.r, s.c, s.wrap = r, c, wrap
    s.feed(writes)
    return s.chars == after[0] and s.attrs == after[1]


# --------------------------------------------------------------------------------------
# A program on a pty, with the model fed from every byte it writes


class Pty(Console):
    def __init__(self, argv, cols, rows, env, record: bool = False):
        self.screen = Screen(cols, rows)
        self.record = bytearray() if record else None
        self.marks: list[tuple[str, int, tuple]] = []
        self.keys_sent = 0
        self.t_spawn = time.perf_counter()
        super().__init__(argv, cols, rows, env)

    def _read(self) -> bytes:
        b = super()._read()
        if b:
            self.screen.feed(b)
            if self.record is not None:
                self.record += b
        return b

    def mark(self, label: str):
        """A checkpoint for --check-model: how much output so far and the model's text then."""
        if self.record is not None:
            self.marks.append((label, len(self.record), self.screen.snapshot()))

    def burst(self, data: bytes, idle: float, first_timeout: float = FIRST_TIMEOUT, keep_raw: bool = False) -> dict:
        """One measured key: write, then read until `idle` seconds of silence."""
        self.stray += len(self.drain())
        before = self.screen.snapshot()
        raw = bytearray()
        t0 = time.perf_counter()
        os.write(self.fd, data)
        self.keys_sent += 1
        s = {"ms": None, "first_ms": None, "bytes": 0}
        if self._wait(first_timeout):
            t_last = t_first = None
            end = time.monotonic() + BURST_MAX
            # The arrival is timed as the bytes are read, and the model is fed after the burst:
            # feeding it first put the script's own parsing (tens of microseconds per hundred
            # bytes, in Python) into the key's time, more for the program that sends more.
            while True:
                b = Console._read(self)
                now = time.perf_counter()
                if not b:
                    break
                t_first = t_first or now
                t_last = now
                raw += b
                if time.monotonic() > end or not self._wait(idle):
                    break
            if raw:
                self.screen.feed(bytes(raw))
                if self.record is not None:
                    self.record += raw
            if t_last is not None:
                s.update(ms=(t_last - t0) * 1000.0, first_ms=(t_first - t0) * 1000.0, bytes=len(raw))
        after = self.screen.snapshot()
        b = bound(before, after)
        writes = b.pop("writes")
        s.update(b)
        s["bound_ok"] = verify_bound(before, after, writes)
        s["ratio"] = s["bytes"] / s["bound"] if s["bound"] else None
        if keep_raw:
            s["raw"] = bytes(raw)
        return s

    def settle(self, predicate, timeout: float, quiet: float):
        """read_until, with a predicate on the model's screen text."""
        return self.read_until(lambda _o: predicate(self.screen.text()), timeout=timeout, quiet=quiet)

    def cpu_ms(self) -> float | None:
        try:
            with open(f"/proc/{self.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) * 1000.0 / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            return None


# --------------------------------------------------------------------------------------
# The measured session, the same for both programs


class Program:
    name = ""
    top_key = b""
    filter_open = b""

    def argv(self) -> list[str]:
        raise NotImplementedError

    def env(self) -> dict:
        raise NotImplementedError

    def painted(self, text: str) -> bool:
        raise NotImplementedError

    def expect(self) -> str:
        raise NotImplementedError

    def prepare(self, p: Pty, result: dict, args):
        """After the first paint: get to the list the keys are measured in."""


class Htop(Program):
    name = "htop"
    top_key = HOME
    filter_open = F4

    def __init__(self, path: str, base_env: dict, home: str):
        self.path, self.base_env, self.home = path, base_env, home

    def argv(self):
        return [self.path, "--no-mouse", "-d", "100", "--sort-key", "PID"]

    def env(self):
        return dict(self.base_env, HOME=self.home, XDG_CONFIG_HOME=os.path.join(self.home, ".config"))

    def painted(self, text):
        lines = text.split("\n")
        for i, line in enumerate(lines):
            if re.match(r"\s*PID\b", line):
                return any(re.match(r"\s*\d+\s+\S", l) for l in lines[i + 1:])
        return False

    def expect(self):
        return "PID"


class Wamod(Program):
    name = "wamod"
    top_key = b"g"
    filter_open = b"/"

    def __init__(self, binary: str, base_env: dict, work: str, sim: Sim, group: tuple | None, warm: bool = True):
        self.binary, self.base_env, self.work, self.sim, self.group = binary, base_env, work, sim, group
        self.warm = warm
        self.runs = 0

    def argv(self):
        return [self.binary, "console"]

    def env(self):
        self.runs += 1
        # Warm: one state folder for every start (the fleet index the previous start left, as
        # an operator's console has it); cold: a new one each time (an empty index).
        state = os.path.join(self.work, "run-warm" if self.warm else f"run-{self.runs}")
        os.makedirs(state, exist_ok=True)
        return dict(self.base_env, WAMOD_CONFIG=os.path.join(self.work, "config"), WAMOD_PROFILE="bench",
                    WAMOD_TOKEN=self.sim.token, XDG_STATE_HOME=os.path.join(state, "state"),
                    WAMOD_AUDIT=os.path.join(state, "audit.jsonl"))

    def painted(self, text):
        return "Sessions" in text and "line-01" in text

    def expect(self):
        return "Sessions"

    def prepare(self, p, result, args):
        idle = args.idle_ms / 1000.0
        p.settle(lambda t: True, timeout=10, quiet=1.0)  # the first session's groups
        p.burst(b"\r", idle)  # focus to the groups
        if self.group:
            for ch in "/" + self.group[1].split("@")[0][-9:]:
                p.burst(ch.encode(), idle)
            p.burst(b"\r", idle)  # keep the filter: one row left, under the cursor
        else:
            result["warnings"].append("big group not looked up: opened the first group of the list")
        p.settle(lambda t: True, timeout=5, quiet=0.3)
        t0 = time.perf_counter()
        os.write(p.fd, b"\r")
        p.keys_sent += 1
        _, ok, t_last, _ = p.settle(lambda t: "owner" in t or "admin" in t, timeout=60, quiet=1.0)
        result["open_group_ms"] = round((t_last - t0) * 1000.0, 1)
        if not ok:
            raise RuntimeError("the participants did not show up within 60 s:\n" + p.screen.text())
        m = re.search(r"Participants · [^\n]*?\(\d+\)", p.screen.text())
        result["group_on_screen"] = m.group(0) if m else None
        m = re.search(r"events: .*", p.screen.lines()[-1])
        result["fleet_status_at_open"] = m.group(0).strip() if m else None


def warm_up(prog: "Wamod", args, cols: int, rows: int) -> dict:
    """A start of the console on an empty index, to the big group open and 2 s of quiet (the
    role reads of the first screen and the index's first listing done), then q."""
    res: dict = {"warnings": []}
    p = Pty(prog.argv(), cols, rows, prog.env())
    try:
        _, ok, t_last, _ = p.settle(prog.painted, timeout=30, quiet=QUIET_FIRST_PAINT)
        res["first_paint_ms"] = round((t_last - p.t_spawn) * 1000.0, 1)
        prog.prepare(p, res, args)
        p.settle(lambda t: True, timeout=10, quiet=2.0)
        res["cpu_ms"] = p.cpu_ms()
        res["keys"] = p.keys_sent
        res["vmhwm_kb"] = peak_kb(p.pid)
    finally:
        res["quit"] = p.quit()
    return res


def is_scroll(s: dict, rows: int) -> bool:
    return s["rows_changed"] >= max(6, rows // 4)


def session(prog: Program, args, cols: int, rows: int, record: bool) -> dict:
    """One run of one program: first paint, the keys, CPU, memory, quit."""
    idle = args.idle_ms / 1000.0
    N = args.keys
    n_scroll = math.ceil(N / 2)
    n_filter_cycles = math.ceil(N / 6)
    n_tab_cycles = math.ceil(N / 20)
    res: dict = {"program": prog.name, "warnings": [], "samples": {"down": [], "scroll": [], "filter_char": [], "tab": [], "wide_scroll": []},
                 "loadavg_before": [round(x, 2) for x in os.getloadavg()]}
    p = Pty(prog.argv(), cols, rows, prog.env(), record=record)
    samples = res["samples"]
    raw_examples: dict = {}

    def keep(kind: str, s: dict):
        samples[kind].append(s)

    try:
        out, ok, t_last, _ = p.settle(prog.painted, timeout=30, quiet=QUIET_FIRST_PAINT)
        res["first_paint_ms"] = round((t_last - p.t_spawn) * 1000.0, 1)
        res["first_paint_bytes"] = len(out)
        res["model_check"] = {"expect": prog.expect(), "found": prog.expect() in p.screen.text()}
        p.mark("first paint")
        if not ok:
            raise RuntimeError(f"no first paint within 30 s; the model's screen:\n{p.screen.text()}")
        if not res["model_check"]["found"]:
            res["warnings"].append(f"model check failed: {prog.expect()!r} not on the model's screen after the first paint")
        prog.prepare(p, res, args)
        p.mark("list ready")
        res["screen_ready"] = p.screen.lines()

        # Cursor moves within the page; the first scroll tells the page's length.
        p.burst(prog.top_key, idle, first_timeout=1.0)
        since_top, page, guard = 0, None, 0
        while len(samples["down"]) < N and guard < N + 4 * rows:
            guard += 1
            s = p.burst(DOWN, idle, keep_raw=True)
            if s["ms"] is None:
                res["warnings"].append("a Down in the page wrote nothing")
                break
            if is_scroll(s, rows):
                page = since_top
                keep("scroll", s)
                p.burst(prog.top_key, idle)
                since_top = 0
                continue
            keep("down", s)
            since_top += 1
            if page is not None and since_top >= page and len(samples["down"]) < N:
                p.burst(prog.top_key, idle)
                since_top = 0
        res["page_moves"] = page
        res["cpu_after_moves_ms"] = p.cpu_ms()
        res["keys_at_cpu_after_moves"] = p.keys_sent
        p.mark("after the moves")

        def scrolls(kind: str) -> int:
            """Down until the cursor is on the last row, then every Down scrolls: keeps
            ceil(N/2) scrolls as `kind`, returns the Downs that only moved the cursor."""
            guard = positioning = 0
            while len(samples[kind]) < n_scroll and guard < n_scroll + 4 * rows:
                guard += 1
                s = p.burst(DOWN, idle, keep_raw=True)
                if s["ms"] is None:
                    res["warnings"].append(f"Down wrote nothing after {len(samples[kind])} of the {kind} samples (end of the list?)")
                    break
                if is_scroll(s, rows):
                    keep(kind, s)
                else:
                    positioning += 1
            return positioning

        # One-row scrolls.
        res["scroll_positioning_downs"] = scrolls("scroll")
        p.mark("after the scrolls")

        # Characters typed into the filter.
        for _ in range(n_filter_cycles):
            p.burst(prog.filter_open, idle)
            for ch in "ana":
                s = p.burst(ch.encode(), idle, keep_raw=True)
                keep("filter_char", s)
            p.burst(ESC, idle)
            p.settle(lambda t: True, timeout=3, quiet=max(idle, 0.1))
        p.mark("after the filter")

        # Tab (wamod only).
        if isinstance(prog, Wamod):
            for _ in range(n_tab_cycles):
                for _ in range(4):
                    keep("tab", p.burst(TAB, idle, keep_raw=True))
            p.mark("after the tabs")

            # The participants pane alone at full width (Z): one-row scrolls again, now that
            # the list spans the terminal's rows and curses can scroll them.
            p.burst(b"Z", idle)
            p.settle(lambda t: True, timeout=3, quiet=max(idle, 0.1))
            scrolls("wide_scroll")
            p.burst(b"Z", idle)
            p.mark("after the wide scrolls")

        p.settle(lambda t: True, timeout=2, quiet=max(idle, 0.1))
        p.mark("end")
        res["cpu_end_ms"] = p.cpu_ms()
        res["keys_at_cpu_end"] = p.keys_sent
        res["vmhwm_kb"] = peak_kb(p.pid)
        res["screen_end"] = p.screen.lines()
    except RuntimeError as e:
        res["error"] = str(e)
        res["warnings"].append("ERROR: " + str(e).splitlines()[0])
    finally:
        res["stray_bytes"] = p.stray
        res["quit"] = p.quit()
        res["exit_status"] = p.exit_status
        res["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
        # One burst of each kind as written, for the record: the one with the median byte count.
        for kind, ss in samples.items():
            with_raw = [s for s in ss if "raw" in s]
            if with_raw:
                mid = sorted(with_raw, key=lambda s: s["bytes"])[(len(with_raw) - 1) // 2]
                raw_examples[kind] = {"bytes": mid["bytes"], "bound": mid["bound"], "rows_changed": mid["rows_changed"],
                                      "ms": mid["ms"], "raw": mid["raw"].decode("utf-8", "replace")}
            for s in ss:
                s.pop("raw", None)
        res["raw_examples"] = raw_examples
        res["ignored_sequences"] = p.screen.ignored
        if record:
            res["_record"] = bytes(p.record)
            res["_marks"] = p.marks
    return res


# --------------------------------------------------------------------------------------
# Checking the model against tmux


def tmux_capture(data: bytes, cols: int, rows: int, work: str, tag: str) -> "Screen | None":
    """Replays `data` into a detached tmux pane of the same size and returns its screen, as
    `capture-pane -e` prints it (text and SGR attributes) read into a Screen."""
    tmux = shutil.which("tmux")
    if not tmux:
        return None
    sock = f"wamod-bench-{os.getpid()}-{tag}"
    path = os.path.join(work, f"replay-{tag}.bin")
    done = path + ".done"
    conf = os.path.join(work, "tmux.conf")
    with open(path, "wb") as f:
        f.write(data)
    with open(conf, "w") as f:
        f.write("set -g status off\nset -g remain-on-exit on\n")
    env = dict(os.environ, TERM="xterm-256color", LANG="C.UTF-8", LC_ALL="C.UTF-8")
    env.pop("TMUX", None)
    base = [tmux, "-f", conf, "-L", sock]
    try:
        subprocess.run(base + ["new-session", "-d", "-x", str(cols), "-y", str(rows),
                               f"stty raw -echo; cat '{path}'; touch '{done}'; sleep 30"],
                       env=env, check=True, timeout=10, capture_output=True)
        deadline = time.monotonic() + 10
        while not os.path.exists(done) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        size = subprocess.run(base + ["display", "-p", "#{pane_width}x#{pane_height}"], env=env,
                              capture_output=True, text=True, timeout=10).stdout.strip()
        if size != f"{cols}x{rows}":
            return None
        out = subprocess.run(base + ["capture-pane", "-p", "-e"], env=env, capture_output=True, timeout=10).stdout
        # Read back through the model itself: the text and the attributes tmux holds. tmux
        # writes an attribute only where it changes, across line ends too: no reset between lines.
        ref = Screen(cols, rows)
        for i, line in enumerate(out.split(b"\n")[:rows]):
            ref.feed(b"\x1b[%d;1H" % (i + 1) + line)
        return ref
    except (OSError, subprocess.SubprocessError):
        return None
    finally:
        subprocess.run(base + ["kill-server"], env=env, capture_output=True, timeout=10)


def check_model(res: dict, cols: int, rows: int, work: str, tag: str) -> list[dict]:
    """At each mark: rows whose text differs between the model and tmux, and cells whose
    attributes differ (among cells that are not blank in the model, where an attribute shows,
    and among all cells)."""
    checks = []
    data = res.get("_record") or b""
    for i, (label, offset, snap) in enumerate(res.get("_marks") or []):
        ref = tmux_capture(data[:offset], cols, rows, work, f"{tag}-{i}")
        if ref is None:
            checks.append({"at": label, "error": "tmux not available or the pane had another size"})
            continue
        mchars, mattrs = snap[0], snap[1]
        model = ["".join(r).rstrip() for r in mchars]
        theirs = ref.lines()
        bad = [r for r in range(rows) if theirs[r] != model[r]]
        attr_shown = attr_all = 0
        attr_examples = []
        for r in range(rows):
            for c in range(cols):
                if mattrs[r][c] != ref.attrs[r][c]:
                    attr_all += 1
                    if mchars[r][c] not in (" ", ""):
                        attr_shown += 1
                        if len(attr_examples) < 3:
                            attr_examples.append({"row": r + 1, "col": c + 1, "char": mchars[r][c],
                                                  "model": mattrs[r][c], "tmux": ref.attrs[r][c]})
        checks.append({"at": label, "bytes": offset, "rows_differing": len(bad),
                       "attr_cells_differing": attr_shown, "attr_cells_differing_incl_blank": attr_all,
                       "first_differences": [{"row": r + 1, "tmux": theirs[r], "model": model[r]} for r in bad[:3]],
                       "attr_examples": attr_examples})
    return checks


# --------------------------------------------------------------------------------------
# Self-test of the model


def self_test() -> list[str]:
    """Small synthetic cases; returns the failures."""
    fails = []

    def case(name, data: bytes, want: list[str], cols=10, rows=4, check=None):
        s = Screen(cols, rows)
        s.feed(data)
        got = s.lines()
        if got != want:
            fails.append(f"{name}: got {got!r}, want {want!r}")
        if check and not check(s):
            fails.append(f"{name}: state check failed")

    case("print, CR LF", b"ab\r\ncd", ["ab", "cd", "", ""])
    case("CUP, EL", b"hello\x1b[1;3H\x1b[K", ["he", "", "", ""])
    case("deferred wrap", b"0123456789X", ["0123456789", "X", "", ""])
    case("wrap at last col, CR stays on the row", b"0123456789\rZ", ["Z123456789", "", "", ""])
    case("wide characters", "中文ab".encode(), ["中文ab", "", "", ""], check=lambda s: s.chars[0][1] == "" and s.c == 6)
    case("wide char overwritten by half", "中文".encode() + b"\x1b[1;2Hx", [" x文", "", "", ""])
    s = Screen(10, 2)
    for piece in (b"\xe4\xb8", b"\xad\x1b[", b"2;2", b"Hq"):
        s.feed(piece)
    if s.lines() != ["中", " q"]:
        fails.append(f"split feeds: {s.lines()!r}")
    case("scroll region + IND", b"a\r\nb\r\nc\r\nd\x1b[2;3r\x1b[3;1H\n", ["a", "c", "", "d"])
    case("RI at top of region", b"a\r\nb\r\nc\r\nd\x1b[2;3r\x1b[2;1H\x1bM", ["a", "", "b", "d"])
    case("SU/SD", b"a\r\nb\r\nc\r\nd\x1b[2S", ["c", "d", "", ""])
    case("IL/DL", b"a\r\nb\r\nc\r\nd\x1b[2;1H\x1b[L", ["a", "", "b", "c"])
    case("DL", b"a\r\nb\r\nc\r\nd\x1b[2;1H\x1b[2M", ["a", "d", "", ""])
    case("ICH/DCH/ECH", b"abcdef\x1b[1;2H\x1b[2@\x1b[2;1Habcdef\x1b[2;2H\x1b[2P\x1b[3;1Habcdef\x1b[3;2H\x1b[2X",
         ["a  bcdef", "adef", "a  def", ""])
    case("REP", b"x\x1b[4b", ["xxxxx", "", "", ""])
    case("CHA/VPA/CUF/CUB/CUU/CUD", b"\x1b[3Ga\x1b[3db\x1b[2Dc\x1b[Ad\x1b[2Ce\x1b[2Bf",
         ["  a", "   d  e", "  cb", "       f"])
    case("DEC graphics", b"\x1b(0lqk\x1b(Bx", ["┌─┐x", "", "", ""])
    case("SO/SI with G1", b"\x1b)0\x0eq\x0fq", ["─q", "", "", ""])
    case("save/restore", b"ab\x1b7\x1b[3;3Hz\x1b8c", ["abc", "", "  z", ""])
    case("alternate screen clears, leaving restores", b"main\x1b[?1049halt\x1b[?1049l", ["main", "", "", ""])
    case("ED", b"aaaa\r\nbbbb\r\ncccc\x1b[2;3H\x1b[J", ["aaaa", "bb", "", ""])
    case("private SGR ignored", b"\x1b[>4;1mok", ["ok", "", "", ""], check=lambda s: s.sgr == "")
    case("SGR kept per cell", b"\x1b[1;31ma\x1b[0;7mb\x1b[mc", ["abc", "", "", ""],
         check=lambda s: s.attrs[0][:3] == ["1;31", "7", ""])
    case("bce", b"\x1b[44m\x1b[2K\x1b[m", ["", "", "", ""], check=lambda s: s.attrs[0][0] == "44")
    case("OSC ignored", b"\x1b]0;title\x07hi", ["hi", "", "", ""])
    case("combining", "e\u0301x".encode(), ["e\u0301x", "", "", ""])

    # The bound: one changed run of 3 cells at row 2, col 4: ESC[2;4H (6) + 3 bytes.
    a = Screen(10, 3)
    a.feed(b"\x1b[2;4Habc\x1b[1;1H")
    b0 = a.snapshot()
    a.feed(b"\x1b[2;4Hxyz")
    got = bound(b0, a.snapshot())
    if got["bound"] != 9 or got["rows_changed"] != 1:
        fails.append(f"bound, one run: {got}")
    # Starting where the cursor is: no move; an SGR change: ESC[0;7m (6).
    b0 = a.snapshot()
    a.feed(b"\x1b[2;1H")
    b0 = a.snapshot()
    a.feed(b"\x1b[7mQ")
    got = bound(b0, a.snapshot())
    if got["bound"] != 1 + len("\x1b[0;7m"):
        fails.append(f"bound, at cursor with SGR: {got}")
    # Wide characters, a change in the right half only, wrap pending, a scroll: the bound's
    # bytes replayed onto the before-screen must give the after-screen.
    for name, setup, change in [
        ("wide", "ab中文cd".encode(), "\x1b[1;5H".encode() + "字".encode()),
        ("half of a wide char", "中文".encode(), b"\x1b[1;2Hx"),
        ("wrap pending", b"0123456789", b"\x1b[2;1HZ\x1b[1;10H\x1b[1;10Hq"),
        ("scroll", b"a\r\nb\r\nc", b"\x1b[1;3r\x1b[3;1H\n\x1b[r\x1b[31mz"),
        ("erase with colour", b"abcdef", b"\x1b[44m\x1b[1;3H\x1b[K\x1b[m"),
    ]:
        a = Screen(10, 3)
        a.feed(setup)
        b0 = a.snapshot()
        a.feed(change)
        b1 = a.snapshot()
        got = bound(b0, b1)
        if not verify_bound(b0, b1, got["writes"]):
            fails.append(f"bound replay, {name}: {got}")
    a = Screen(10, 3)
    a.feed("ab中文cd".encode())
    b0 = a.snapshot()
    a.feed("\x1b[1;5H字".encode())
    got = bound(b0, a.snapshot())
    if got["bound"] != len("\x1b[1;5H") + 3:
        fails.append(f"bound, wide: {got}")
    return fails


# --------------------------------------------------------------------------------------
# Figures and output


def med(values):
    v = [x for x in values if x is not None]
    return statistics.median(v) if v else None


def run_figures(res: dict) -> dict:
    """One run's figures (medians and p90 over its samples)."""
    S = res["samples"]
    f = {}

    def times(kind):
        return [s["ms"] for s in S[kind] if s["ms"] is not None]

    for kind in ("down", "scroll", "filter_char", "tab", "wide_scroll"):
        if not S.get(kind):
            continue
        t = times(kind)
        f[f"{kind}_ms_median"] = pct(t, 50)
        f[f"{kind}_ms_p90"] = pct(t, 90)
        f[f"{kind}_bytes_median"] = pct([s["bytes"] for s in S[kind]], 50)
        f[f"{kind}_bound_median"] = pct([s["bound"] for s in S[kind]], 50)
        f[f"{kind}_ratio_median"] = med([s["ratio"] for s in S[kind]])
        f[f"{kind}_n"] = len(S[kind])
        f[f"{kind}_bound_replay_failed"] = sum(1 for s in S[kind] if not s.get("bound_ok"))
    for k in ("first_paint_ms", "first_paint_bytes", "cpu_after_moves_ms", "cpu_end_ms", "vmhwm_kb",
              "keys_at_cpu_after_moves", "keys_at_cpu_end", "page_moves", "open_group_ms"):
        if res.get(k) is not None:
            f[k] = res[k]
    return f


def over_runs(runs: list[dict]) -> dict:
    keys = set()
    for r in runs:
        keys |= set(r["figures"])
    return {k: med([r["figures"].get(k) for r in runs]) for k in sorted(keys)}


def fmt(v, kind="ms"):
    if v is None:
        return "—"
    if kind == "B":
        return f"{v:,.0f}"
    if kind == "x":
        return f"{v:.2f}"
    if kind == "MB":
        return f"{v / 1024:.1f}"
    if kind == "n":
        return f"{v:.0f}"
    return f"{v:.2f}" if v < 10 else (f"{v:.1f}" if v < 100 else f"{v:,.0f}")


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "—"
    r = a / b
    return f"{r:.2f}" if r < 10 else f"{r:.0f}" if r >= 100 else f"{r:.1f}"


def markdown(doc: dict) -> str:
    h, w = doc["htop"]["figures"], doc["wamod"]["figures"]
    m = doc["meta"]
    N = m["keys"]
    rows = []

    def row(label, key, kind="ms", htop_na=False, hv=None, wv=None):
        hv = None if htop_na else (h.get(key) if hv is None else hv)
        wv = w.get(key) if wv is None else wv
        rows.append(f"| {label} | {'n/a' if htop_na else fmt(hv, kind)} | {fmt(wv, kind)} | {'—' if htop_na else ratio(wv, hv)} |")

    rows.append("| measure | htop | wamod | ratio |")
    rows.append("|---|--:|--:|--:|")
    row(f"Down, cursor move in the page: median ms ({N} presses)", "down_ms_median")
    row("Down, cursor move: p90 ms", "down_ms_p90")
    row("Down, cursor move: bytes (median)", "down_bytes_median", "B")
    row("Down, cursor move: bound, bytes (median)", "down_bound_median", "B")
    row("Down, cursor move: bytes / bound (median)", "down_ratio_median", "x")
    row(f"one-row scroll (Down on the last visible row): bytes (median, {math.ceil(N / 2)} presses)", "scroll_bytes_median", "B")
    row("one-row scroll: bound, bytes (median)", "scroll_bound_median", "B")
    row("one-row scroll: bytes / bound (median)", "scroll_ratio_median", "x")
    row("one-row scroll: median ms", "scroll_ms_median")
    row(f"one-row scroll, the pane alone at full width (wamod `Z`): bytes (median, {math.ceil(N / 2)} presses)", "wide_scroll_bytes_median", "B",
        hv=h.get("scroll_bytes_median"))
    row("one-row scroll at full width: median ms", "wide_scroll_ms_median", hv=h.get("scroll_ms_median"))
    row(f"filter, one character typed: median ms ({3 * math.ceil(N / 6)} characters)", "filter_char_ms_median")
    row("filter, one character: p90 ms", "filter_char_ms_p90")
    row("filter, one character: bytes (median)", "filter_char_bytes_median", "B")
    row("filter, one character: bytes / bound (median)", "filter_char_ratio_median", "x")
    row(f"Tab (next pane): median ms ({4 * math.ceil(N / 20)} presses)", "tab_ms_median", htop_na=True)
    row("Tab: p90 ms", "tab_ms_p90", htop_na=True)
    row("Tab: bytes (median)", "tab_bytes_median", "B", htop_na=True)
    row("Tab: bytes / bound (median)", "tab_ratio_median", "x", htop_na=True)
    row("exec → first full paint: ms (last byte before 0.5 s quiet)", "first_paint_ms")
    row("first full paint: bytes", "first_paint_bytes", "B")
    rows.append(f"| CPU (utime+stime), start + keys so far, after the moves: ms | {fmt(h.get('cpu_after_moves_ms'))} "
                f"({fmt(h.get('keys_at_cpu_after_moves'), 'n')} keys) | {fmt(w.get('cpu_after_moves_ms'))} "
                f"({fmt(w.get('keys_at_cpu_after_moves'), 'n')} keys) | {ratio(w.get('cpu_after_moves_ms'), h.get('cpu_after_moves_ms'))} |")
    rows.append(f"| CPU (utime+stime), whole run, at the end: ms | {fmt(h.get('cpu_end_ms'))} ({fmt(h.get('keys_at_cpu_end'), 'n')} keys) "
                f"| {fmt(w.get('cpu_end_ms'))} ({fmt(w.get('keys_at_cpu_end'), 'n')} keys) | {ratio(w.get('cpu_end_ms'), h.get('cpu_end_ms'))} |")
    first = doc["wamod"].get("first_start")
    if first:
        rows.append(f"| wamod's first start on an empty index (warm-up, not a run): CPU to the big group open and 2 s of quiet, ms "
                    f"| — | {fmt(first.get('cpu_ms'))} ({fmt(first.get('keys'), 'n')} keys) | — |")
    row("peak memory VmHWM at the end: MB", "vmhwm_kb", "MB")
    row("`--version` alone, peak RSS: MB", "", "MB", hv=m.get("htop_version_peak_kb"), wv=m.get("wamod_version_peak_kb"))
    return "\n".join(rows)


def notes(doc: dict) -> list[str]:
    out = []
    m = doc["meta"]
    out.append(f"{m['runs']} run(s); each figure is the median over runs of the per-run median (or p90, nearest rank); "
               f"terminal {m['size']}, idle threshold {m['idle_ms']} ms, TERM={m['term']}.")
    for prog in ("htop", "wamod"):
        d = doc[prog]
        page = [r.get("page_moves") for r in d["runs"]]
        stray = [r.get("stray_bytes") for r in d["runs"]]
        checks = [r.get("model_check", {}).get("found") for r in d["runs"]]
        extra = ""
        if prog == "wamod":
            r0 = d["runs"][0]
            ipm = m.get("index_reads_per_minute")
            idx = f"{ipm} read(s)/min/session" if isinstance(ipm, int) else "the console's default pace (30 reads/min/session, 8 sessions at once)"
            index = ("a warm index (the runs share one state folder, after an unmeasured first start on an empty one)"
                     if m.get("index") == "warm" else "an empty index at every run")
            extra = (f"; {index}; opening the group {fmt(d['figures'].get('open_group_ms'))} ms (median), its title "
                     f"{r0.get('group_on_screen')!r}; background indexer at {idx} "
                     f"(status line at the open: {r0.get('fleet_status_at_open')!r})")
        out.append(f"{prog}: moves per page {page}; stray bytes between keys {stray}; model check "
                   f"({d['runs'][0].get('model_check', {}).get('expect')!r} on screen after the first paint) {checks}{extra}.")
        nkeys = sum(len(v) for r in d["runs"] for v in r["samples"].values())
        failed = sum(1 for r in d["runs"] for v in r["samples"].values() for s in v if not s.get("bound_ok"))
        out.append(f"{prog}: the bound's own bytes, replayed onto the model's screen before each key, gave the screen after it "
                   f"for {nkeys - failed} of {nkeys} measured keys.")
        for i, r in enumerate(d["runs"]):
            for wmsg in r.get("warnings", []):
                out.append(f"{prog} run {i + 1}: {wmsg}")
            for c in r.get("tmux_check", []):
                if "error" in c:
                    out.append(f"{prog} run {i + 1}: tmux check at {c['at']}: {c['error']}")
            tc = r.get("tmux_check")
            if tc:
                out.append(f"{prog} run {i + 1}: model vs tmux (text rows differing / attribute cells differing, non-blank): "
                           + ", ".join(f"{c['at']} {c.get('rows_differing', '?')}/{c.get('attr_cells_differing', '?')}" for c in tc))
    if m.get("sleepers"):
        out.append(f"{m['sleepers']} `sleep 3600` children were started so that htop's list could scroll ({m.get('tasks_before')} tasks before).")
    out.append(f"load average (1/5/15 min) before {m['loadavg_before']}, after {m['loadavg_after']}.")
    return out


# --------------------------------------------------------------------------------------


def count_tasks() -> int:
    """Tasks htop lists by default: processes and their userland threads, not kernel
    threads (no command line)."""
    n = 0
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    if not f.read(1):
                        continue
                n += len(os.listdir(f"/proc/{pid}/task"))
            except OSError:
                pass
    return n


def peak_of(argv: list[str]) -> int | None:
    try:
        r = subprocess.run(["/usr/bin/time", "-f", "%M", *argv], capture_output=True, text=True, timeout=30)
        return int(r.stderr.strip().splitlines()[-1])
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        return None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default_bin = os.path.join(REPO, ".build-bench", "release", "wamod")
    if not os.path.exists(default_bin):
        default_bin = os.path.join(REPO, ".build", "release", "wamod")
    ap.add_argument("--binary", default=default_bin, help="the wamod executable (default: %(default)s)")
    ap.add_argument("--htop", default="/usr/bin/htop", help="the htop executable (default: %(default)s)")
    ap.add_argument("--runs", type=int, default=3, help="runs of each program; figures are medians over runs (default: %(default)s)")
    ap.add_argument("--keys", type=int, default=50, help="N: Down presses (cursor moves) per run; scrolls N/2, filter characters ~N/2, Tab 4 x ceil(N/20) (default: %(default)s)")
    ap.add_argument("--size", default="120x35", help="terminal size COLSxROWS (default: %(default)s)")
    ap.add_argument("--idle-ms", type=float, default=25.0, help="silence that ends a key's output burst (default: %(default)s)")
    ap.add_argument("--seed", type=int, default=1, help="the emulator's fixture seed (default: %(default)s)")
    ap.add_argument("--json", default=os.path.join(HERE, "htop-results.json"), help="where to write JSON (default: %(default)s; '-' for none)")
    ap.add_argument("--index-reads-per-minute", type=int, default=1,
                    help="the profile's sync_reads_per_minute: the console's background indexer reads this many groups per "
                         "session per minute (0: leave it out, the console's default of 30 for 8 sessions at once) (default: %(default)s)")
    ap.add_argument("--index", choices=["warm", "cold"], default="warm",
                    help="warm: the console's runs share one state folder, after an unmeasured first start on an empty index "
                         "(an operator's console finds the index it left); cold: every run starts on an empty index (default: %(default)s)")
    ap.add_argument("--check-model", action="store_true", help="also replay each program's output into tmux at a few points and compare its screen with the model's")
    ap.add_argument("--self-test", action="store_true", help="only run the terminal model's own tests")
    ap.add_argument("--no-samples", action="store_true", help="leave the per-key samples out of the JSON")
    args = ap.parse_args()

    fails = self_test()
    if args.self_test or fails:
        for f in fails:
            print("FAIL", f, file=sys.stderr)
        print(f"model self-test: {'ok' if not fails else str(len(fails)) + ' failure(s)'}", file=sys.stderr)
        return 1 if fails else 0

    m = re.fullmatch(r"(\d+)x(\d+)", args.size.strip())
    if not m:
        print(f"bad size: {args.size!r} (want COLSxROWS)", file=sys.stderr)
        return 2
    cols, rows = int(m.group(1)), int(m.group(2))
    args.binary = os.path.abspath(args.binary)
    for exe in (args.binary, args.htop):
        if not os.access(exe, os.X_OK):
            print(f"not an executable: {exe}", file=sys.stderr)
            return 2

    base = {k: v for k, v in os.environ.items()
            if k not in ("NO_COLOR", "ESCDELAY", "COLUMNS", "LINES", "TMUX", "STY") and not k.startswith("WAMOD_")}
    base.update(TERM="xterm-256color", LANG="C.UTF-8", LC_ALL="C.UTF-8")

    began = time.monotonic()
    work = tempfile.mkdtemp(prefix="wamod-bench-htop-")
    meta = {
        "binary": args.binary, "htop": args.htop, "size": f"{cols}x{rows}", "keys": args.keys, "runs": args.runs,
        "idle_ms": args.idle_ms, "seed": args.seed, "index_reads_per_minute": args.index_reads_per_minute or "console default", "index": args.index, "term": base["TERM"], "locale": base["LC_ALL"],
        "date": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "host": {"platform": platform.platform(), "cpus": os.cpu_count(), "python": platform.python_version()},
        "binary_built": _dt.datetime.fromtimestamp(os.path.getmtime(args.binary)).astimezone().isoformat(timespec="seconds"),
        "loadavg_before": [round(x, 2) for x in os.getloadavg()],
    }
    for key, argv in (("wamod_version", [args.binary, "--version"]), ("htop_version", [args.htop, "--version"])):
        try:
            meta[key] = subprocess.run(argv, capture_output=True, text=True, timeout=10).stdout.strip().splitlines()[0]
        except (OSError, subprocess.SubprocessError, IndexError):
            meta[key] = None
    meta["wamod_version_peak_kb"] = peak_of([args.binary, "--version"])
    meta["htop_version_peak_kb"] = peak_of([args.htop, "--version"])

    sim = None
    sleepers: list[subprocess.Popen] = []
    doc = {"meta": meta, "htop": {"runs": []}, "wamod": {"runs": []}}
    try:
        print("looking up the big group…", file=sys.stderr, flush=True)
        group = find_big_group(args.binary, args.seed, base)
        meta["big_group"] = {"session": group[0], "jid": group[1], "size": group[2]} if group else None
        sim = Sim(args.binary, "v1", args.seed, base)
        profile_file(os.path.join(work, "config"), "bench", sim, "3600s")
        if args.index_reads_per_minute:
            with open(os.path.join(work, "config"), "a") as f:
                f.write(f"sync_reads_per_minute = {args.index_reads_per_minute}\n")
        meta["sim"] = sim.url

        # Enough tasks for htop's list to scroll ceil(N/2) times past its first page.
        need = rows + math.ceil(args.keys / 2) + 15
        meta["tasks_before"] = count_tasks()
        for _ in range(max(0, need - meta["tasks_before"])):
            sleepers.append(subprocess.Popen(["sleep", "3600"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                             stderr=subprocess.DEVNULL, start_new_session=True))
        meta["sleepers"] = len(sleepers)

        home = os.path.join(work, "htop-home")
        os.makedirs(home, exist_ok=True)
        wamod = Wamod(args.binary, base, work, sim, group, warm=args.index == "warm")
        progs = [Htop(args.htop, base, home), wamod]
        if args.index == "warm":
            # The first start ever, on an empty index: not one of the runs. It leaves the
            # index the measured starts find (the sessions and groups listed, the groups on
            # the first screen and the big group read in full); its own figures are kept.
            print("[warm-up] wamod, empty index…", file=sys.stderr, flush=True)
            doc["wamod"]["first_start"] = warm_up(wamod, args, cols, rows)
        for i in range(args.runs):
            for prog in progs:
                print(f"[run {i + 1}/{args.runs}] {prog.name}…", file=sys.stderr, flush=True)
                res = session(prog, args, cols, rows, record=args.check_model)
                if args.check_model:
                    res["tmux_check"] = check_model(res, cols, rows, work, f"{prog.name}{i}")
                res.pop("_record", None)
                res.pop("_marks", None)
                res["figures"] = run_figures(res)
                doc[prog.name]["runs"].append(res)
    finally:
        for s in sleepers:
            s.kill()
        for s in sleepers:
            try:
                s.wait(5)
            except subprocess.TimeoutExpired:
                pass
        if sim:
            sim.stop()
        shutil.rmtree(work, ignore_errors=True)

    for prog in ("htop", "wamod"):
        doc[prog]["figures"] = over_runs(doc[prog]["runs"])
    meta["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    meta["seconds"] = round(time.monotonic() - began, 1)

    print(f"## wamod console and htop, side by side ({cols}x{rows})\n")
    print(f"{meta.get('wamod_version')} (`{os.path.relpath(args.binary, REPO) if args.binary.startswith(REPO) else args.binary}`) · "
          f"{meta.get('htop_version')} · {meta['host']['platform']} · {meta['host']['cpus']} CPUs · {meta['date']}\n")
    print(markdown(doc))
    print()
    for n in notes(doc):
        print(f"_{n}_  ")

    if args.json != "-":
        if args.no_samples:
            for prog in ("htop", "wamod"):
                for r in doc[prog]["runs"]:
                    r.pop("samples", None)
        with open(args.json, "w") as f:
            json.dump(doc, f, indent=1, ensure_ascii=False)
            f.write("\n")
        print(f"JSON: {args.json} ({meta['seconds']} s in all)", file=sys.stderr)
    failed = any(r.get("error") for p in ("htop", "wamod") for r in doc[p]["runs"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
