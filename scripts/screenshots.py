#!/usr/bin/env python3
"""Screenshots of the wamod console, made by driving the real binary in tmux.

Run from the repository root (build first with `swift build`):

    python3 scripts/screenshots.py [--binary .build/debug/wamod] [--out screenshots]
    # or: scripts/screenshots.sh [same options]

Other options: --only main,confirm,help,find,partial-failure  --font-size 16  --keep-ansi
(also writes each capture as NAME.ans next to the PNG)  --no-install  --timeout 20.

What it needs, and installs when missing (as root, or through sudo when there is one):
  - Debian: tmux, fonts-dejavu-core (DejaVu Sans Mono), fonts-wqy-zenhei (CJK; fonts-noto-cjk
    is used instead when that is what is installed), fonts-noto-color-emoji (optional: without
    it emoji are drawn with the CJK/DejaVu glyph or a placeholder box). `apt-get update` runs
    once, only if an install fails without it.
  - PyPI: pyte (a VT100 emulator) and Pillow, through `python3 -m pip install`.

How it works: each scene starts `wamod demo` (or, for the partial failure, the emulator with
injected 500s plus the console pointed at it) in a private tmux server (`tmux -L`), 100x30,
sends keys, and waits for expected text by polling `tmux capture-pane` (no blind sleeps: only
a short "screen stopped changing" settle before a capture). The capture is taken WITH colour
escapes (`capture-pane -p -e -N`), fed row by row into a pyte screen, and painted cell by cell
with Pillow: DejaVu Sans Mono for text, box drawing and block elements drawn as lines so they
join, the CJK font for wide glyphs, Noto Color Emoji scaled into two cells for emoji. Wide
characters take two cells (pyte leaves an empty placeholder in the second one). Colours: named,
256-colour and truecolour are mapped to a dark palette (background #1e1e1e); bold, dim (SGR 2),
reverse and underline are honoured.

The partial-failure scene: the `tiny` world; in "Team Alpha" the owner and six plain members
are tagged and removed while the emulator answers a share of requests with 500. The owner is
skipped by the preflight, and the script retries (with another fault seed) until at least one
removal really fails at the gateway, so the summary dialog lists a genuine failure. When
`wamod demo` has `--error-rate` it is used; otherwise `wamod sim --error-rate` runs on a free
loopback port and the console connects with `--gateway`.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import functools
import glob
import importlib
import json
import os
import re
import secrets
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unicodedata
import urllib.request

COLS, ROWS = 100, 30
# In several groups of several sessions in the demo world (GatewaySim's DemoFixture.spammer).
DEMO_SPAMMER = "+5511955501234"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# --------------------------------------------------------------------------------------------
# Installing what is missing
# --------------------------------------------------------------------------------------------

FONT_DIRS = ["/usr/share/fonts", "/usr/local/share/fonts", os.path.expanduser("~/.local/share/fonts")]


def find_font(*names: str) -> str | None:
    for name in names:
        for d in FONT_DIRS:
            hits = sorted(glob.glob(os.path.join(d, "**", name), recursive=True))
            if hits:
                return hits[0]
    return None


def mono_font_path(bold: bool = False):
    return find_font("DejaVuSansMono-Bold.ttf" if bold else "DejaVuSansMono.ttf")


def cjk_font_path():
    return find_font("wqy-zenhei.ttc", "NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf",
                     "NotoSansMonoCJKsc-Regular.otf", "wqy-microhei.ttc", "droid*fallback*.ttf")


def emoji_font_path():
    return find_font("NotoColorEmoji.ttf")


def run_apt(packages: list[str]) -> bool:
    if not shutil.which("apt-get"):
        print(f"screenshots: no apt-get here; install {' '.join(packages)} yourself", file=sys.stderr)
        return False
    prefix = [] if os.geteuid() == 0 else (["sudo", "-n"] if shutil.which("sudo") else None)
    if prefix is None:
        print(f"screenshots: not root and no sudo; install {' '.join(packages)} yourself", file=sys.stderr)
        return False
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    cmd = prefix + ["apt-get", "install", "-y", "-q", "--no-install-recommends"] + packages
    print("screenshots: " + " ".join(cmd), file=sys.stderr)
    if subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL).returncode == 0:
        return True
    print("screenshots: apt-get install failed; running apt-get update once and retrying", file=sys.stderr)
    subprocess.run(prefix + ["apt-get", "update", "-q"], env=env, stdout=subprocess.DEVNULL)
    return subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL).returncode == 0


def ensure_dependencies(install: bool) -> None:
    required = []
    if not shutil.which("tmux"):
        required.append("tmux")
    if not mono_font_path():
        required.append("fonts-dejavu-core")
    if not cjk_font_path():
        required.append("fonts-wqy-zenhei")
    if required:
        if not install or not run_apt(required):
            sys.exit(f"screenshots: missing {' '.join(required)}")
    if install and not emoji_font_path():
        # Optional: emoji then fall back to the CJK/DejaVu glyph or a placeholder box.
        if not run_apt(["fonts-noto-color-emoji"]):
            print("screenshots: no emoji font; emoji drawn with fallbacks", file=sys.stderr)
    missing_py = []
    for module, package in (("pyte", "pyte"), ("PIL", "Pillow")):
        try:
            importlib.import_module(module)
        except ImportError:
            missing_py.append(package)
    if missing_py:
        if not install:
            sys.exit(f"screenshots: missing Python packages {' '.join(missing_py)}")
        cmd = [sys.executable, "-m", "pip", "install", "-q"] + missing_py
        print("screenshots: " + " ".join(cmd), file=sys.stderr)
        if subprocess.run(cmd).returncode != 0:
            sys.exit("screenshots: pip install failed")
        importlib.invalidate_caches()


# --------------------------------------------------------------------------------------------
# Driving the console in tmux
# --------------------------------------------------------------------------------------------

class ScreenTimeout(RuntimeError):
    pass


class Tmux:
    """One private tmux server (its own socket) with one session running one command."""

    def __init__(self, command: str, name: str, timeout: float, env: dict[str, str] | None = None):
        self.socket = f"wamod-shots-{os.getpid()}-{name}"
        self.target = name
        self.timeout = timeout
        base = dict(os.environ)
        base.update({"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"})
        base.pop("TMUX", None)
        base.pop("NO_COLOR", None)
        # A state directory of its own: the demo keeps its journals per world, so an
        # operation a scene left would otherwise be offered at the start of the next run.
        self.state_dir = tempfile.mkdtemp(prefix="wamod-shots-state-")
        env = dict(env or {})
        env.setdefault("XDG_STATE_HOME", self.state_dir)
        env.setdefault("WAMOD_AUDIT", os.path.join(self.state_dir, "audit.jsonl"))
        inner_env = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        full = f"env LANG=C.UTF-8 LC_ALL=C.UTF-8 {inner_env} {command}"
        self.base_env = base
        self._tmux("-f", "/dev/null", "new-session", "-d", "-s", name, "-x", str(COLS), "-y", str(ROWS), full)
        # Keep the pane after the program exits so a crash leaves its last screen to read.
        self._tmux("set-option", "-t", name, "remain-on-exit", "on", check=False)
        self.socket_path = self._tmux("display-message", "-p", "#{socket_path}", check=False).strip()

    def _tmux(self, *args: str, check: bool = True) -> str:
        r = subprocess.run(["tmux", "-u", "-L", self.socket] + list(args), env=self.base_env,
                           capture_output=True, text=True, encoding="utf-8", errors="replace")
        if check and r.returncode != 0:
            raise RuntimeError(f"tmux {' '.join(args[:3])}: {r.stderr.strip()}")
        return r.stdout

    def keys(self, *keys: str, literal: bool = False) -> None:
        for k in keys:
            if literal:
                self._tmux("send-keys", "-t", self.target, "-l", k)
            else:
                self._tmux("send-keys", "-t", self.target, k)
            time.sleep(0.03)  # tiny pause so every key is its own read for the console

    def text(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", self.target)

    def ansi(self) -> str:
        return self._tmux("capture-pane", "-p", "-e", "-N", "-t", self.target)

    def wait_for(self, *patterns: str, timeout: float | None = None) -> tuple[str, re.Match]:
        """Polls the screen until one of the regexes appears; returns (pattern, match)."""
        deadline = time.monotonic() + (timeout or self.timeout)
        compiled = [(p, re.compile(p)) for p in patterns]
        screen = ""
        while time.monotonic() < deadline:
            screen = self.text()
            for p, rx in compiled:
                m = rx.search(screen)
                if m:
                    return p, m
            time.sleep(0.1)
        raise ScreenTimeout(f"none of {patterns!r} appeared; the screen was:\n{screen}")

    def settle(self, quiet: float = 0.4, timeout: float = 5.0) -> str:
        """Waits until the screen stops changing for `quiet` seconds; returns the ANSI capture."""
        deadline = time.monotonic() + timeout
        last, since = self.ansi(), time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.1)
            now = self.ansi()
            if now != last:
                last, since = now, time.monotonic()
            elif time.monotonic() - since >= quiet:
                break
        return last

    def close(self) -> None:
        self._tmux("kill-server", check=False)
        shutil.rmtree(self.state_dir, ignore_errors=True)
        if self.socket_path and os.path.basename(self.socket_path) == self.socket:
            try:
                os.remove(self.socket_path)  # tmux leaves the socket file of a killed server
            except OSError:
                pass


# --------------------------------------------------------------------------------------------
# Rendering a capture to PNG
# --------------------------------------------------------------------------------------------

PALETTE = {
    "black": (0x1b, 0x1b, 0x1b), "red": (0xe0, 0x5a, 0x52), "green": (0x4e, 0xc9, 0x74),
    "brown": (0xd7, 0xba, 0x3d), "blue": (0x4a, 0x8f, 0xe2), "magenta": (0xc6, 0x78, 0xdd),
    "cyan": (0x3f, 0xc1, 0xd2), "white": (0xd8, 0xd8, 0xd8),
    "brightblack": (0x80, 0x80, 0x80), "brightred": (0xff, 0x7b, 0x72), "brightgreen": (0x7e, 0xe7, 0x87),
    "brightbrown": (0xf2, 0xd7, 0x5c), "brightblue": (0x79, 0xb8, 0xff), "brightmagenta": (0xe0, 0x9f, 0xf0),
    "brightcyan": (0x76, 0xe3, 0xea), "brightwhite": (0xf5, 0xf5, 0xf5),
}
for _alias, _name in (("yellow", "brown"), ("brightyellow", "brightbrown")):
    PALETTE[_alias] = PALETTE[_name]
DEFAULT_FG = (0xd4, 0xd4, 0xd4)
DEFAULT_BG = (0x1e, 0x1e, 0x1e)
# The 16 entries of the 256-colour table follow the palette above, not xterm's defaults.
_BASIC16 = ["black", "red", "green", "brown", "blue", "magenta", "cyan", "white",
            "brightblack", "brightred", "brightgreen", "brightbrown", "brightblue", "brightmagenta",
            "brightcyan", "brightwhite"]


def resolve_colour(value: str, default: tuple[int, int, int]) -> tuple[int, int, int]:
    if not value or value == "default":
        return default
    if value in PALETTE:
        return PALETTE[value]
    if re.fullmatch(r"[0-9a-fA-F]{6}", value):
        import pyte.graphics
        rgb = tuple(int(value[i:i + 2], 16) for i in (0, 2, 4))
        try:  # a 256-colour index in 0..15 comes through as xterm's hex: use our palette instead
            idx = pyte.graphics.FG_BG_256.index(value.lower())
            if idx < 16:
                return PALETTE[_BASIC16[idx]]
        except ValueError:
            pass
        return rgb
    return default


def blend(a, b, t: float):
    return tuple(int(round(x * (1 - t) + y * t)) for x, y in zip(a, b))


_libc = None


def libc_wcwidth(ch: str) -> int:
    """The C library's wcwidth: what tmux itself uses to lay out the pane we capture."""
    global _libc
    if _libc is None:
        lib = ctypes.CDLL(ctypes.util.find_library("c"))
        lib.setlocale.restype = ctypes.c_char_p
        lib.setlocale(6, b"C.UTF-8")  # LC_ALL
        lib.wcwidth.argtypes = [ctypes.c_wchar]
        _libc = lib
    return _libc.wcwidth(ch)


def make_screen():
    import pyte
    import pyte.screens
    from wcwidth import wcwidth as py_wcwidth

    try:
        libc_wcwidth("A")

        @functools.lru_cache(maxsize=4096)
        def width(ch: str) -> int:
            w = libc_wcwidth(ch)
            return w if w >= 0 else py_wcwidth(ch)
        pyte.screens.wcwidth = width
    except (OSError, AttributeError):
        pass

    class ShotScreen(pyte.Screen):
        def draw(self, data: str) -> None:
            # pyte stops at the first zero-width, non-combining character (ZWJ, VS16) and drops
            # the rest of the chunk: feed one character at a time, dropping those.
            for ch in data:
                if pyte.screens.wcwidth(ch) == 0 and not unicodedata.combining(ch):
                    continue
                super().draw(ch)

        def select_graphic_rendition(self, *attrs: int, **kwargs) -> None:
            # pyte has no "dim" (SGR 2): carry it in the blink flag, which the console never
            # uses, and clear it with SGR 22 (normal intensity) as terminals do.
            mapped: list[int] = []
            i = 0
            while i < len(attrs):
                a = attrs[i]
                if a in (38, 48) and i + 1 < len(attrs):
                    n = 3 if attrs[i + 1] == 5 else 5
                    mapped.extend(attrs[i:i + n])
                    i += n
                    continue
                if a == 2:
                    mapped.append(5)
                elif a == 22:
                    mapped.extend((22, 25))
                else:
                    mapped.append(a)
                i += 1
            super().select_graphic_rendition(*mapped, **kwargs)

    return ShotScreen(COLS, ROWS)


def feed_capture(ansi: str):
    import pyte
    screen = make_screen()
    stream = pyte.Stream(screen)
    # capture-pane -e carries the attributes over from one line to the next and has no cursor
    # moves: place each line at its row explicitly so nothing wraps or scrolls.
    for y, line in enumerate(ansi.split("\n")[:ROWS]):
        stream.feed(f"\x1b[{y + 1};1H" + line.rstrip("\r"))
    return screen


# Box drawing: (up, down, left, right) with 1 light, 2 heavy, 3 double.
BOX = {
    "─": (0, 0, 1, 1), "━": (0, 0, 2, 2), "│": (1, 1, 0, 0), "┃": (2, 2, 0, 0),
    "┌": (0, 1, 0, 1), "┐": (0, 1, 1, 0), "└": (1, 0, 0, 1), "┘": (1, 0, 1, 0),
    "├": (1, 1, 0, 1), "┤": (1, 1, 1, 0), "┬": (0, 1, 1, 1), "┴": (1, 0, 1, 1), "┼": (1, 1, 1, 1),
    "┏": (0, 2, 0, 2), "┓": (0, 2, 2, 0), "┗": (2, 0, 0, 2), "┛": (2, 0, 2, 0),
    "┣": (2, 2, 0, 2), "┫": (2, 2, 2, 0), "┳": (0, 2, 2, 2), "┻": (2, 0, 2, 2), "╋": (2, 2, 2, 2),
    # Double lines: only the straight ones (corners and tees of double lines come from the font).
    "═": (0, 0, 3, 3), "║": (3, 3, 0, 0), "╭": (0, 1, 0, 1), "╮": (0, 1, 1, 0), "╯": (1, 0, 1, 0), "╰": (1, 0, 0, 1),
    "╴": (0, 0, 1, 0), "╵": (1, 0, 0, 0), "╶": (0, 0, 0, 1), "╷": (0, 1, 0, 0),
    "╌": (0, 0, 1, 1), "┄": (0, 0, 1, 1), "┈": (0, 0, 1, 1), "╎": (1, 1, 0, 0), "┆": (1, 1, 0, 0),
    "┊": (1, 1, 0, 0),
}


def is_emoji_candidate(ch: str) -> bool:
    o = ord(ch)
    return o >= 0x1F000 or 0x2190 <= o <= 0x2BFF or o in (0x00A9, 0x00AE, 0x203C, 0x2049, 0x2122, 0x2139)


class Renderer:
    def __init__(self, font_size: int):
        from PIL import ImageFont
        self.ImageFont = ImageFont
        basic = ImageFont.Layout.BASIC
        self.mono = ImageFont.truetype(mono_font_path(), font_size, layout_engine=basic)
        bold_path = mono_font_path(bold=True)
        self.bold = ImageFont.truetype(bold_path, font_size, layout_engine=basic) if bold_path else self.mono
        sans_path = find_font("DejaVuSans.ttf")
        self.sans = ImageFont.truetype(sans_path, font_size, layout_engine=basic) if sans_path else None
        cjk = cjk_font_path()
        self.cjk = ImageFont.truetype(cjk, font_size, layout_engine=basic) if cjk else None
        self.emoji = None
        path = emoji_font_path()
        if path:
            try:  # a bitmap (CBDT) font: it only loads at its strike size, 109 px
                self.emoji = ImageFont.truetype(path, 109, layout_engine=basic)
                self._emoji_image("😀")
            except Exception as e:  # noqa: BLE001 - any failure means "no emoji font"
                print(f"screenshots: emoji font unusable ({e}); using fallbacks", file=sys.stderr)
                self.emoji = None
        ascent, descent = self.mono.getmetrics()
        self.ascent = ascent
        self.cw = int(round(self.mono.getlength("M")))
        self.ch = ascent + descent + 1
        self.pad = max(6, self.cw)
        self._notdef: dict[int, tuple] = {}
        self._glyph_cache: dict[tuple, bool] = {}

    # -- glyph lookup ---------------------------------------------------------------------------
    def _sig(self, font, ch: str):
        try:
            if font is self.emoji:  # a colour bitmap font: a missing glyph has no height
                box = font.getbbox(ch)
                return (box[2] - box[0], box[3] - box[1]), box
            mask = font.getmask(ch, mode="L")
            return mask.size, bytes(mask)
        except Exception:  # noqa: BLE001
            return None

    def has_glyph(self, font, ch: str) -> bool:
        """Whether the font has the glyph: its rendering differs from the font's .notdef box."""
        key = (id(font), ch)
        if key not in self._glyph_cache:
            if id(font) not in self._notdef:
                self._notdef[id(font)] = self._sig(font, "\U0010FFFD")
            sig = self._sig(font, ch)
            self._glyph_cache[key] = sig is not None and sig != self._notdef[id(font)] and sig[0] != (0, 0)
        return self._glyph_cache[key]

    def fonts_for(self, ch: str, cells: int, bold: bool):
        primary = self.bold if bold else self.mono
        if cells == 2 and is_emoji_candidate(ch):
            order = [self.emoji, self.cjk, primary, self.sans]
        elif cells == 2:
            order = [self.cjk, primary, self.sans, self.emoji]
        else:
            order = [primary, self.mono, self.sans, self.cjk, self.emoji]
        return [f for f in order if f is not None]

    # -- drawing --------------------------------------------------------------------------------
    def _emoji_image(self, ch: str):
        from PIL import Image, ImageDraw
        size = 160
        im = Image.new("RGBA", (size, size), (0, 0, 0, 0))
        ImageDraw.Draw(im).text((8, 8), ch, font=self.emoji, embedded_color=True)
        box = im.getbbox()
        if not box:
            raise ValueError("empty emoji glyph")
        return im.crop(box)

    def draw_emoji(self, img, x: int, y: int, cells: int, ch: str) -> bool:
        from PIL import Image
        try:
            glyph = self._emoji_image(ch)
        except Exception:  # noqa: BLE001
            return False
        box_w, box_h = cells * self.cw, self.ch
        scale = min((box_w - 1) / glyph.width, (box_h - 2) / glyph.height)
        w, h = max(1, int(glyph.width * scale)), max(1, int(glyph.height * scale))
        glyph = glyph.resize((w, h), Image.LANCZOS)
        img.alpha_composite(glyph, (x + (box_w - w) // 2, y + (box_h - h) // 2))
        return True

    def draw_text_glyph(self, img, draw, x: int, y: int, cells: int, ch: str, font, colour) -> None:
        from PIL import Image
        box_w = cells * self.cw
        advance = font.getlength(ch)
        if font is self.mono or font is self.bold or advance <= box_w + 0.5:
            # Centre narrower glyphs (CJK at 1 em in 2 cells stays left-aligned like terminals do).
            off = 0 if font in (self.mono, self.bold) else max(0, int((box_w - advance) // 2))
            draw.text((x + off, y + self.ascent), ch, font=font, fill=colour, anchor="ls")
            return
        # Wider than its cells (a proportional fallback): squeeze it horizontally.
        tmp = Image.new("L", (int(advance) + 4, self.ch), 0)
        from PIL import ImageDraw
        ImageDraw.Draw(tmp).text((0, self.ascent), ch, font=font, fill=255, anchor="ls")
        tmp = tmp.resize((box_w, self.ch), Image.LANCZOS)
        img.paste(Image.new("RGBA", tmp.size, colour + (255,)), (x, y), tmp)

    def draw_box(self, draw, x: int, y: int, ch: str, colour) -> None:
        """Box drawing as rectangles from the cell's centre to its edges, so lines always join."""
        up, down, left, right = BOX[ch]
        w, h = self.cw, self.ch
        cx, cy = x + w // 2, y + h // 2
        light = max(1, round(w / 10))
        heavy = light * 2 + 1
        gap = max(2, light * 2)
        for direction, weight in (("u", up), ("d", down), ("l", left), ("r", right)):
            if not weight:
                continue
            t = heavy if weight == 2 else light
            # A double line is two light lines `gap` apart, each reaching past the centre.
            offsets = (-gap // 2 - t, gap - gap // 2) if weight == 3 else (-(t // 2),)
            reach = gap if weight == 3 else (t + 1) // 2
            for off in offsets:
                if direction == "u":
                    draw.rectangle([cx + off, y, cx + off + t - 1, cy + reach - 1], fill=colour)
                elif direction == "d":
                    draw.rectangle([cx + off, cy - reach, cx + off + t - 1, y + h - 1], fill=colour)
                elif direction == "l":
                    draw.rectangle([x, cy + off, cx + reach - 1, cy + off + t - 1], fill=colour)
                else:
                    draw.rectangle([cx - reach, cy + off, x + w - 1, cy + off + t - 1], fill=colour)

    def draw_block(self, draw, x: int, y: int, ch: str, fg, bg) -> bool:
        w, h = self.cw, self.ch
        o = ord(ch)
        if ch == "█":
            draw.rectangle([x, y, x + w - 1, y + h - 1], fill=fg)
        elif ch == "▀":
            draw.rectangle([x, y, x + w - 1, y + h // 2 - 1], fill=fg)
        elif ch == "▌":
            draw.rectangle([x, y, x + w // 2 - 1, y + h - 1], fill=fg)
        elif ch == "▐":
            draw.rectangle([x + w // 2, y, x + w - 1, y + h - 1], fill=fg)
        elif 0x2581 <= o <= 0x2587 or ch == "▄":
            eighths = 4 if ch == "▄" else o - 0x2580
            top = y + h - (h * eighths) // 8
            draw.rectangle([x, top, x + w - 1, y + h - 1], fill=fg)
        elif ch in "░▒▓":
            draw.rectangle([x, y, x + w - 1, y + h - 1], fill=blend(bg, fg, {"░": .25, "▒": .5, "▓": .75}[ch]))
        else:
            return False
        return True

    def render(self, screen, path: str) -> None:
        from PIL import Image, ImageDraw
        pad = self.pad
        img = Image.new("RGBA", (COLS * self.cw + 2 * pad, ROWS * self.ch + 2 * pad), DEFAULT_BG + (255,))
        draw = ImageDraw.Draw(img)
        import pyte.screens
        glyphs = []
        for y in range(ROWS):
            row = screen.buffer[y]
            x = 0
            while x < COLS:
                cell = row[x]
                ch = cell.data
                cells = 2 if ch and pyte.screens.wcwidth(ch[0]) == 2 and x + 1 < COLS else 1
                fg = resolve_colour(cell.fg, DEFAULT_FG)
                bg = resolve_colour(cell.bg, DEFAULT_BG)
                if cell.reverse:
                    fg, bg = bg, fg
                if cell.blink:  # dim, see ShotScreen
                    fg = blend(fg, bg, 0.45)
                px, py = pad + x * self.cw, pad + y * self.ch
                if bg != DEFAULT_BG:
                    draw.rectangle([px, py, px + cells * self.cw - 1, py + self.ch - 1], fill=bg)
                if ch and ch != " ":
                    glyphs.append((px, py, cells, ch, fg, bg, cell.bold, cell.underscore))
                elif cell.underscore:
                    glyphs.append((px, py, cells, " ", fg, bg, False, True))
                x += cells
        # Glyphs after every background, so a glyph's overhang is not painted over.
        for px, py, cells, ch, fg, bg, bold, underline in glyphs:
            base = ch[0]
            if base in BOX:
                self.draw_box(draw, px, py, base, fg)
            elif self.draw_block(draw, px, py, base, fg, bg):
                pass
            elif base != " ":
                self.draw_char(img, draw, px, py, cells, ch, fg, bold)
            if underline:
                uy = py + self.ascent + 2
                draw.line([px, uy, px + cells * self.cw - 1, uy], fill=fg)
        img.convert("RGB").save(path, optimize=True)

    def draw_char(self, img, draw, px, py, cells, ch, fg, bold) -> None:
        base = ch[0]
        for font in self.fonts_for(base, cells, bold):
            if not self.has_glyph(font, base):
                continue
            if font is self.emoji:
                if self.draw_emoji(img, px, py, cells, base):
                    return
                continue
            text = ch if len(ch) > 1 and self.has_glyph(font, ch) else base
            self.draw_text_glyph(img, draw, px, py, cells, text, font, fg)
            return
        # Nothing has it: a placeholder box.
        draw.rectangle([px + 1, py + 2, px + cells * self.cw - 2, py + self.ch - 3], outline=fg)


# --------------------------------------------------------------------------------------------
# Scenes
# --------------------------------------------------------------------------------------------

def demo_supports(binary: str, flag: str) -> bool:
    r = subprocess.run([binary, "demo", "--help"], capture_output=True, text=True)
    return flag in r.stdout


def shot(tm: Tmux, renderer: Renderer, out: str, name: str, keep_ansi: bool) -> None:
    ansi = tm.settle()
    if keep_ansi:
        with open(os.path.join(out, name + ".ans"), "w", encoding="utf-8") as f:
            f.write(ansi)
    path = os.path.join(out, name + ".png")
    renderer.render(feed_capture(ansi), path)
    print(f"screenshots: wrote {os.path.relpath(path)}")


def scene_demo(binary: str, renderer: Renderer, out: str, wanted: set[str], keep_ansi: bool, timeout: float):
    """main.png, help.png and confirm.png from one `wamod demo` session."""
    tm = Tmux(f"{shlex.quote(binary)} demo", "demo", timeout)
    try:
        tm.wait_for(r"Team Alpha\s+\d+")
        tm.keys("Enter")                       # session -> its groups
        tm.wait_for(r"Groups \(support-br\)")
        tm.keys("Enter")                       # Team Alpha -> its participants
        tm.wait_for(r"Participants · Team Alpha \(\d+\)")
        tm.wait_for(r"\+\d{10,}")              # the rows are there
        tm.keys("j", "j", "j", "j", "Space", "Space")
        tm.wait_for(r"tagged 2")
        tm.keys("j")
        if "main" in wanted:
            shot(tm, renderer, out, "main", keep_ansi)
        if "wide" in wanted:
            tm.keys("Z")                       # the participants pane alone, full width
            tm.wait_for(r"alone, full width")
            shot(tm, renderer, out, "wide", keep_ansi)
            tm.keys("Z")
            tm.wait_for(r"side by side")
        if "help" in wanted:
            tm.keys("?")
            tm.wait_for(r"┌ Help")
            shot(tm, renderer, out, "help", keep_ansi)
            tm.keys("Escape")
            tm.wait_for(r"tagged 2")
        if "confirm" in wanted:
            tm.keys("k", "Space")
            tm.wait_for(r"tagged 3")
            tm.keys("x")
            tm.wait_for(r"Remove 3 participants")
            tm.wait_for(r"will be removed")
            shot(tm, renderer, out, "confirm", keep_ansi)
            tm.keys("Escape")
        if "find" in wanted:
            # The demo world's spammer, found in every group of every session (the demo
            # fixture puts them in several groups of four sessions).
            screen = tm.text()
            numbers = re.findall(r"\+\d{10,}", screen)
            if numbers:
                tm.keys("f")
                tm.wait_for(r"find \(number or JID\)")
                tm.keys(DEMO_SPAMMER, literal=True)
                tm.keys("Enter")
                tm.wait_for(r"is in \d+ group")
                shot(tm, renderer, out, "find", keep_ansi)
                tm.keys("Escape")
        tm.keys("q")
    finally:
        tm.close()


def scene_incident(binary: str, renderer: Renderer, out: str, wanted: set[str], keep_ansi: bool, timeout: float):
    """badges.png and requests.png from `wamod demo --dialect waha` (the dialect with every
    administration capability): the settings badges with a group's details open, and the
    join requests of "VIP Clientes 🎉" in the participants pane."""
    tm = Tmux(f"{shlex.quote(binary)} demo --dialect waha", "incident", timeout)
    try:
        tm.wait_for(r"Team Alpha\s+\d+")
        tm.keys("Enter")                       # session -> its groups
        tm.wait_for(r"Groups \(support-br\)")
        tm.wait_for(r"\[appr\]")
        # VIP Clientes by the filter (its row under the cursor), locked, then refreshed so
        # the row shows its badges; the filter is cleared so every group shows.
        tm.keys("/")
        tm.keys("VIP", literal=True)
        tm.keys("Enter")
        tm.wait_for(r"1/12")
        tm.keys("K")
        tm.wait_for(r"Lock 1 group")
        tm.wait_for(r"will set")
        tm.keys("y")
        tm.wait_for(r"locked 1 of 1")
        tm.keys("Escape")
        tm.keys("r")
        tm.wait_for(r"\[msg info appr\]|\[mia\]")
        if "badges" in wanted:
            tm.keys("i")
            tm.wait_for(r"pending requests to join")
            shot(tm, renderer, out, "badges", keep_ansi)
            tm.keys("Escape")
        if "requests" in wanted:
            tm.keys("Enter")
            tm.wait_for(r"Participants · VIP")
            tm.keys("J")
            tm.wait_for(r"Join requests · VIP Clientes 🎉 \(\d+\)")
            tm.wait_for(r"asked")
            tm.keys("Space")
            tm.wait_for(r"tagged 1")
            tm.keys("A")
            tm.wait_for(r"Approve 1 request")
            shot(tm, renderer, out, "requests", keep_ansi)
            tm.keys("Escape")
        tm.keys("q")
    finally:
        tm.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_emulator(binary: str, seed: int, error_rate: float):
    """`wamod sim` on a free loopback port; returns (process, console command, console env)."""
    token = secrets.token_hex(16)
    port = free_port()
    env = dict(os.environ, WAMOD_SIM_TOKEN=token)
    proc = subprocess.Popen([binary, "sim", "--port", str(port), "--fixture", "tiny", "--seed", str(seed),
                             "--error-rate", str(error_rate)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"wamod sim exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.1)
    else:
        proc.terminate()
        raise RuntimeError("wamod sim did not start listening")
    cmd = f"{shlex.quote(binary)} --gateway http://127.0.0.1:{port} --dialect v1"
    return proc, cmd, {"WAMOD_TOKEN": token}


def retrying(tm: Tmux, want: str, fail: str, retry_keys: tuple[str, ...] = ("r",), attempts: int = 25):
    """Waits for `want`; when the gateway's injected 500 shows `fail` instead, presses r."""
    for _ in range(attempts):
        p, _m = tm.wait_for(want, fail)
        if p == want:
            return
        tm.keys(*retry_keys)
        time.sleep(0.2)  # let the refresh replace the error before looking again
    raise ScreenTimeout(f"{want!r} never appeared after {attempts} retries:\n{tm.text()}")


def partial_failure_attempt(binary: str, seed: int, error_rate: float, timeout: float):
    proc = None
    if demo_supports(binary, "--error-rate"):
        # A faster pace than the default 10 a minute, so a run with retries fits the wait.
        cmd = (f"{shlex.quote(binary)} demo --fixture tiny --seed {seed} --error-rate {error_rate} --pace 30")
        env = {}
    else:
        proc, cmd, env = start_emulator(binary, seed, error_rate)
    tm = Tmux(cmd, f"fail{seed}", timeout, env=env)
    return tm, proc


def scene_partial_failure(binary: str, renderer: Renderer, out: str, keep_ansi: bool, timeout: float):
    # High enough that some target fails all three attempts the retry policy allows.
    error_rate = 0.6
    for seed in range(1, 13):
        tm, proc = partial_failure_attempt(binary, seed, error_rate, timeout)
        try:
            retrying(tm, r"● alpha", r"r retry")
            tm.keys("Enter")                                   # alpha -> its groups
            retrying(tm, r"Team Alpha\s+\d+", r"r retry")
            tm.keys("Enter")                                   # Team Alpha -> participants
            retrying(tm, r"王芳\s+\+55", r"r retry")
            # Ana (owner: the preflight skips her), then Carla … 王芳 except the lid-only row.
            tm.keys("g", "Space", "j", "j", "Space", "Space", "Space", "j", "Space", "Space", "Space")
            tm.wait_for(r"tagged 7")
            for _ in range(20):
                tm.keys("x")
                p, m = tm.wait_for(r"Type (\d+) to confirm", r"Could not read the group")
                if p.startswith("Type"):
                    break
                tm.keys("Enter")                               # close, and ask again
                tm.wait_for(r"tagged 7")
            else:
                raise ScreenTimeout("the preflight never read the group")
            tm.keys(m.group(1), literal=True)
            tm.keys("Enter")
            p, m = tm.wait_for(r"removed \d+ of \d+, \d+ not done", r"removed (\d+) of \1\b", timeout=60)
            if "not done" not in m.group(0):
                print(f"screenshots: seed {seed}: every removal went through; trying another seed")
                continue
            tm.wait_for(r"Enter/Esc close")
            shot(tm, renderer, out, "partial-failure", keep_ansi)
            tm.keys("Escape", "q")
            return
        finally:
            tm.close()
            if proc is not None:
                proc.terminate()
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    proc.kill()
    raise RuntimeError("no seed produced a partial failure")


def scene_watchlist(binary: str, renderer: Renderer, out: str, keep_ansi: bool, timeout: float):
    """watchlist.png: `wamod sim --dialect waha --fixture demo`, a number put on the
    watchlist, the console on Team Alpha; the number joins by the link through the emulator's
    admin view (someone else's doing), the console raises it at once over WAHA's events, and
    `w` reads the group live and asks to confirm the removal with the entry as the reason."""
    token = secrets.token_hex(16)
    port = free_port()
    env = dict(os.environ, WAMOD_SIM_TOKEN=token)
    proc = subprocess.Popen([binary, "sim", "--port", str(port), "--fixture", "demo", "--dialect", "waha", "--rate", "0"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"

    def admin(path: str, body: dict | None = None) -> dict:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(base + path, data=data, method="POST" if body is not None else "GET",
                                     headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read() or b"{}")

    tm = None
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                admin("/_sim/sessions")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("wamod sim did not start listening")
                time.sleep(0.1)
        state = tempfile.mkdtemp(prefix="wamod-shots-state-")
        cenv = {"WAMOD_TOKEN": token, "XDG_STATE_HOME": state, "WAMOD_AUDIT": os.path.join(state, "audit.jsonl"),
                "WAMOD_CONFIG": "/nonexistent"}
        gateway = ["--gateway", base, "--dialect", "waha"]
        number = "+5511955509876"
        subprocess.run([binary, "watch", "add", number, "--reason", "spam wave", *gateway], env=dict(env, **cenv),
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        tm = Tmux(f"{shlex.quote(binary)} {' '.join(gateway)}", "watchlist", timeout, env=cenv)
        tm.wait_for(r"Team Alpha\s+\d+")
        tm.wait_for(r"events: websocket")
        tm.keys("Enter")
        tm.wait_for(r"Groups \(support-br\)")
        tm.keys("/")
        tm.keys("Team Alpha", literal=True)
        tm.keys("Enter")
        tm.keys("Enter")
        tm.wait_for(r"Participants · Team Alpha")
        sessions = admin("/_sim/sessions").get("sessions", [])
        support = next(s for s in sessions if s.get("label") == "support-br")
        group = next(g["jid"] for g in support["groups"] if g.get("subject") == "Team Alpha")
        admin("/_sim/participants", {"session": support["id"], "group": group, "add": [number], "via": "invite"})
        tm.wait_for(r"WATCHLIST \+5511955509876")
        tm.keys("w")
        tm.wait_for(r"Type .* or 1")
        shot(tm, renderer, out, "watchlist", keep_ansi)
        tm.keys("Escape", "q")
    finally:
        if tm is not None:
            tm.close()
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build", "debug", "wamod"))
    ap.add_argument("--out", default=os.path.join(ROOT, "screenshots"))
    ap.add_argument("--only", default="main,wide,confirm,help,find,badges,requests,watchlist,partial-failure",
                    help="comma-separated: main, confirm, help, find, badges, requests, watchlist, partial-failure")
    ap.add_argument("--font-size", type=int, default=16)
    ap.add_argument("--timeout", type=float, default=20.0, help="seconds to wait for expected text")
    ap.add_argument("--keep-ansi", action="store_true", help="also write each capture as NAME.ans")
    ap.add_argument("--no-install", action="store_true", help="fail instead of installing what is missing")
    ap.add_argument("--render", metavar="ANS", help="only render an existing capture file to --out/NAME.png")
    args = ap.parse_args()

    ensure_dependencies(install=not args.no_install)
    os.makedirs(args.out, exist_ok=True)
    renderer = Renderer(args.font_size)

    if args.render:
        with open(args.render, encoding="utf-8") as f:
            screen = feed_capture(f.read())
        name = os.path.splitext(os.path.basename(args.render))[0]
        renderer.render(screen, os.path.join(args.out, name + ".png"))
        return 0

    binary = os.path.abspath(args.binary)
    if not os.access(binary, os.X_OK):
        sys.exit(f"screenshots: no binary at {binary}; run `swift build` first")
    wanted = {w.strip() for w in args.only.split(",") if w.strip()}
    unknown = wanted - {"main", "wide", "confirm", "help", "find", "badges", "requests", "watchlist", "partial-failure"}
    if unknown:
        sys.exit(f"screenshots: unknown shot(s): {', '.join(sorted(unknown))}")
    if wanted & {"main", "wide", "confirm", "help", "find"}:
        scene_demo(binary, renderer, args.out, wanted, args.keep_ansi, args.timeout)
    if wanted & {"badges", "requests"}:
        scene_incident(binary, renderer, args.out, wanted, args.keep_ansi, args.timeout)
    if "watchlist" in wanted:
        scene_watchlist(binary, renderer, args.out, args.keep_ansi, args.timeout)
    if "partial-failure" in wanted:
        scene_partial_failure(binary, renderer, args.out, args.keep_ansi, args.timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
