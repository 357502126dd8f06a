#!/usr/bin/env bash
# Checks the README's install routes end to end (.ci/run runs it after `swift test`):
#
#   1. `make install PREFIX=<temporary>`: the release build, stripped, with completions and
#      the man page; then `wamod --version` names the commit, `man` renders the page, bash
#      completes `wamod sy` to `sync`, and `wamod doctor --help` answers when that command
#      exists.
#   2. With the toolchain out of reach (an empty tmpfs over its folder, in a mount namespace
#      of its own, and off PATH): the binary starts, serves the emulator and reads it over
#      HTTP; `ldd` names no library of the toolchain's, and none is missing.
#   3. `make uninstall` leaves the prefix empty; the same with DESTDIR.
#   4. `make deb`: its contents and control fields, lintian (no error), installed into a
#      scratch dpkg root and purged again; with WAMOD_CHECK_APT_INSTALL=1 (CI sets it), also
#      `apt-get install ./wamod_….deb` on this machine, checked, and purged.
#
#   scripts/check-install.sh          (make check-install)
#
# Takes as long as a release build (minutes on two cores; the README says how long).
set -euo pipefail
cd "$(dirname "$0")/.."

scratch=${WAMOD_SCRATCH:-.build-release}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/wamod-check-install.XXXXXX")
prefix=$tmp/prefix
apt_installed=
cleanup() {
    if [ -n "$apt_installed" ]; then
        DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq wamod >/dev/null 2>&1 || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

started=$SECONDS
step_started=$SECONDS
failures=0
step() { printf '\n== %s\n' "$*"; step_started=$SECONDS; }
took() { printf '   (%d s)\n' "$((SECONDS - step_started))"; }
ok() { printf '   ok: %s\n' "$*"; }
fail() { printf '   FAILED: %s\n' "$*"; failures=$((failures + 1)); }
need() { "$@" || fail "$*"; }

# The toolchain's folder, to hide: where `swift` comes from (/opt/swift here).
toolchain=
if swift_path=$(command -v swift 2>/dev/null); then
    toolchain=$(cd "$(dirname "$(readlink -f "$swift_path")")/../.." && pwd)
fi
# Runs "$@" with the toolchain's folder covered by an empty tmpfs (in a mount namespace of
# its own, so nothing else sees it) and the environment of a machine without it.
hidden_env=(env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$tmp/home" LANG=C.UTF-8 TERM=dumb)
can_hide=
if [ -n "$toolchain" ] && [ "$(id -u)" = 0 ] && command -v unshare >/dev/null 2>&1 \
   && unshare -m -- sh -c "mount -t tmpfs -o size=1m wamod-check '$toolchain'" 2>/dev/null; then
    can_hide=1
fi
hidden() {
    if [ -n "$can_hide" ]; then
        unshare -m -- sh -c 'mount -t tmpfs -o size=1m,mode=0755 wamod-check "$1" && shift && exec "$@"' \
            sh "$toolchain" "${hidden_env[@]}" "$@"
    else
        "${hidden_env[@]}" "$@"
    fi
}
mkdir -p "$tmp/home"

# --- 1. make install ---------------------------------------------------------------------
step "make install PREFIX=$prefix"
make --no-print-directory install PREFIX="$prefix"
took
w=$prefix/bin/wamod
for f in bin/wamod share/bash-completion/completions/wamod share/zsh/site-functions/_wamod \
         share/fish/vendor_completions.d/wamod.fish share/man/man1/wamod.1 share/wamod/install-manifest; do
    need test -s "$prefix/$f"
done
[ -x "$w" ] || fail "$w is not executable"
if readelf -S "$w" | grep -q '\.symtab'; then fail "$w is not stripped"; else ok "stripped: $(du -k "$w" | cut -f1) KB"; fi

step "wamod --version"
version=$("$w" --version)
printf '   %s\n' "$version"
if head=$(git log -1 --format=%h 2>/dev/null) && [ -n "$head" ]; then
    case $version in
        "wamod "[0-9]*" (commit $head"*) ok "names the commit checked out ($head)" ;;
        *) fail "expected 'wamod X.Y.Z (commit $head…)'" ;;
    esac
else
    case $version in "wamod "[0-9]*" (commit unknown"*) ok "no git here, and it says so" ;; *) fail "unexpected: $version" ;; esac
fi

step "man renders the page"
man_rc=0
page=$(MANPAGER=cat MANWIDTH=80 man --warnings -l "$prefix/share/man/man1/wamod.1" 2>"$tmp/man.err") || man_rc=$?
# Here-strings, not pipes: grep -q stops at its first match, and a page longer than a pipe's
# buffer would then end printf with SIGPIPE, which pipefail reports as a failure.
if grep -q '^SYNOPSIS' <<< "$page" && grep -q 'sync' <<< "$page"; then
    ok "$(printf '%s\n' "$page" | wc -l) lines; SYNOPSIS and the sync command are there"
else
    fail "man -l (exit $man_rc, $(printf '%s' "$page" | wc -c) bytes, page $(wc -c < "$prefix/share/man/man1/wamod.1") bytes) printed no SYNOPSIS or no sync: $(printf '%s' "$page" | head -c 200) $(head -c 300 "$tmp/man.err")"
fi
if [ -s "$tmp/man.err" ]; then printf '   man/groff said:\n'; sed 's/^/     /' "$tmp/man.err" | head -n 10; fi
found=$(MANPATH=$prefix/share/man man -w wamod 2>/dev/null || true)
[ "$found" = "$prefix/share/man/man1/wamod.1" ] && ok "MANPATH=$prefix/share/man man -w wamod finds it" \
    || fail "man -w wamod with MANPATH found '$found'"

step "bash completion"
completion=$(PATH="$prefix/bin:$PATH" bash --norc --noprofile -c '
    source "$1"
    spec=$(complete -p wamod) || exit 3
    echo "spec: $spec"
    fn=$(printf "%s\n" "$spec" | sed -n "s/.* -F \([^ ]*\) .*/\1/p")
    [ -n "$fn" ] || exit 4
    COMP_WORDS=(wamod sy); COMP_CWORD=1; COMP_LINE="wamod sy"; COMP_POINT=${#COMP_LINE}; COMP_TYPE=9
    "$fn" wamod sy wamod
    echo "offers: ${COMPREPLY[*]}"
' bash "$prefix/share/bash-completion/completions/wamod" 2>&1) || true
printf '%s\n' "$completion" | sed 's/^/   /'
grep -q '^spec: complete .* wamod$' <<< "$completion" || fail "complete -p wamod did not name a completion"
grep -Eq '^offers: (.* )?sync( |$)' <<< "$completion" && ok "'wamod sy' completes to sync" || fail "'wamod sy' did not offer sync"

step "wamod doctor --help (when the command exists)"
if "$w" --help 2>/dev/null | grep -Eq '^ +doctor( |$)'; then
    if "$w" doctor --help > "$tmp/doctor.out" 2>&1; then ok "doctor --help: $(head -n 1 "$tmp/doctor.out")"; else fail "doctor --help failed: $(head -n 3 "$tmp/doctor.out")"; fi
else
    ok "this build has no doctor command; skipped"
fi

# --- 2. without the toolchain ------------------------------------------------------------
step "the installed binary with the toolchain out of reach"
if [ -n "$can_hide" ]; then
    echo "   $toolchain covered by an empty tmpfs in a private mount namespace; PATH=/usr/local/bin:/usr/bin:/bin"
    hidden sh -c '[ ! -e "$1/usr/bin/swift" ] && ! command -v swift >/dev/null' sh "$toolchain" \
        && ok "no swift inside" || fail "the toolchain is still visible inside"
else
    echo "   cannot hide $toolchain here (needs root and unshare -m): checking with a clean environment and ldd only"
fi
need hidden "$w" --version >/dev/null
need hidden "$w" sessions --help >/dev/null
# The emulator and a read through it: NIO, Foundation's URLSession over libcurl, JSON.
served=$(hidden sh -c '
    w=$1 dir=$2
    WAMOD_SIM_TOKEN=check-token XDG_STATE_HOME=$dir/state XDG_CONFIG_HOME=$dir/config \
        "$w" sim --dialect v1 --port 0 --fixture tiny > "$dir/sim.log" 2>&1 &
    sim=$!
    url=
    for i in $(seq 1 100); do
        url=$(sed -n "s/^serving v1 on //p" "$dir/sim.log")
        [ -n "$url" ] && break
        sleep 0.1
    done
    status=1
    if [ -n "$url" ]; then
        WAMOD_TOKEN=check-token XDG_STATE_HOME=$dir/state XDG_CONFIG_HOME=$dir/config \
            "$w" sessions --gateway "$url" --dialect v1 --json
        status=$?
        # wamod doctor against the same emulator: the token, the gateway, the probe, the session.
        if [ $status -eq 0 ] && "$w" --help 2>/dev/null | grep -Eq "^ +doctor( |\$)"; then
            WAMOD_TOKEN=check-token XDG_STATE_HOME=$dir/state XDG_CONFIG_HOME=$dir/config TERM=xterm-256color LANG=C.UTF-8 \
                "$w" doctor --gateway "$url" --dialect v1 > "$dir/doctor.out" 2>&1
            echo "doctor exit $?" >&2
            grep "FAIL" "$dir/doctor.out" >&2
            grep -Eiq "probe|dialect" "$dir/doctor.out" || { echo "doctor said nothing of the gateway:" >&2; cat "$dir/doctor.out" >&2; status=1; }
        fi
    else
        cat "$dir/sim.log" >&2
    fi
    kill "$sim" 2>/dev/null
    wait "$sim" 2>/dev/null
    exit $status
' sh "$w" "$tmp/home" 2>&1) && ok "served the emulator, read its sessions and ran doctor on it: $(printf '%s' "$served" | head -c 100)…" \
    || fail "the emulator round trip failed: $(printf '%s' "$served" | head -c 400)"

step "ldd $w"
ldd "$w" | sed 's/^/   /'
if ldd "$w" | grep -q 'not found'; then fail "a library is missing"; fi
if [ -n "$toolchain" ] && ldd "$w" | grep -qF "$toolchain"; then fail "a library comes from $toolchain"; else ok "nothing from ${toolchain:-the toolchain}"; fi
runpath=$(readelf -d "$w" 2>/dev/null | sed -n 's/.*(\(RUNPATH\|RPATH\)).*\[\(.*\)\]/\2/p')
[ -z "$runpath" ] && ok "no RUNPATH" || printf '   RUNPATH: %s\n' "$runpath"

# --- 3. uninstall ------------------------------------------------------------------------
step "make uninstall PREFIX=$prefix"
make --no-print-directory uninstall PREFIX="$prefix" | sed 's/^/   /'
left=$(find "$prefix" -mindepth 1 | head -n 5 || true)
[ -z "$left" ] && ok "nothing left under $prefix" || fail "left behind: $left"

step "make install / uninstall with DESTDIR"
dest=$tmp/destdir
make --no-print-directory install DESTDIR="$dest" PREFIX=/opt/wamod-check >/dev/null
need test -x "$dest/opt/wamod-check/bin/wamod"
grep -q '^file bin/wamod$' "$dest/opt/wamod-check/share/wamod/install-manifest" && ok "manifest paths are relative to the prefix" \
    || fail "manifest does not record bin/wamod"
make --no-print-directory uninstall DESTDIR="$dest" PREFIX=/opt/wamod-check >/dev/null
left=$(find "$dest/opt/wamod-check" -mindepth 1 | head -n 5 || true)
[ -z "$left" ] && ok "nothing left under DESTDIR" || fail "left behind: $left"
took

# --- 4. the Debian package ---------------------------------------------------------------
step "make deb"
make --no-print-directory deb > "$tmp/deb.out" 2> "$tmp/deb.err" || { cat "$tmp/deb.out" "$tmp/deb.err"; fail "make deb failed"; }
sed 's/^/   /' "$tmp/deb.err"
deb=$(tail -n 1 "$tmp/deb.out")
took
if [ -f "$deb" ]; then
    step "dpkg-deb -I / -c $deb"
    dpkg-deb -I "$deb" | sed 's/^/   /'
    dpkg-deb -c "$deb" | awk '{ print "   " $1, $3, $6 }'
    contents=$(dpkg-deb -c "$deb" | awk '{ print $6 }')
    for f in ./usr/bin/wamod ./usr/share/man/man1/wamod.1.gz ./usr/share/bash-completion/completions/wamod \
             ./usr/share/zsh/vendor-completions/_wamod ./usr/share/fish/vendor_completions.d/wamod.fish \
             ./usr/share/doc/wamod/copyright ./usr/share/doc/wamod/changelog.gz; do
        grep -qxF "$f" <<< "$contents" || fail "$f is not in the package"
    done
    depends=$(dpkg-deb -f "$deb" Depends)
    for lib in libc6 libcurl4 libncursesw6 libsqlite3-0; do
        grep -q "$lib" <<< "$depends" || fail "Depends does not name $lib"
    done
    ok "Depends: $depends"

    step "lintian"
    if command -v lintian >/dev/null 2>&1; then
        lintian --display-info "$deb" > "$tmp/lintian.out" 2>&1 || true
        if [ -s "$tmp/lintian.out" ]; then sed 's/^/   /' "$tmp/lintian.out"; fi
        if grep -q '^E:' "$tmp/lintian.out"; then
            fail "lintian reports errors"
        else
            ok "no error; $(grep -c '^W:' "$tmp/lintian.out" || true) warning(s), $(grep -c '^I:' "$tmp/lintian.out" || true) note(s) (README, \"Install on a bastion\", says why)"
        fi
    else
        fail "lintian is not installed (apt-get install lintian)"
    fi
    took

    step "dpkg --root into a scratch root, then purge"
    r=$tmp/debroot
    mkdir -p "$r/var/lib/dpkg/info" "$r/var/lib/dpkg/updates" "$r/var/lib/dpkg/triggers"
    : > "$r/var/lib/dpkg/status"
    # The scratch root has no libraries: its Depends are this machine's, checked below.
    root_opts=(--root="$r" --log=/dev/null --force-depends)
    [ "$(id -u)" = 0 ] || root_opts+=(--force-not-root --force-bad-path)
    if dpkg "${root_opts[@]}" -i "$deb" >/dev/null 2>"$tmp/dpkg.err"; then
        need test -x "$r/usr/bin/wamod"
        need test -s "$r/usr/share/zsh/vendor-completions/_wamod"
        need hidden "$r/usr/bin/wamod" --version >/dev/null
        ok "$(find "$r/usr" -type f | wc -l) files; $(hidden "$r/usr/bin/wamod" --version)"
        dpkg "${root_opts[@]}" --purge wamod >/dev/null 2>>"$tmp/dpkg.err" || fail "dpkg --purge failed: $(cat "$tmp/dpkg.err")"
        left=$(find "$r/usr" -type f 2>/dev/null | head -n 5 || true)
        [ -z "$left" ] && ok "purged: no file left" || fail "left behind: $left"
    else
        fail "dpkg --root -i failed: $(cat "$tmp/dpkg.err")"
    fi

    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        step "apt-get install --simulate ./$(basename "$deb")"
        if apt-get install -s "$(readlink -f "$deb")" > "$tmp/apt-s.out" 2>&1; then
            ok "its Depends are satisfiable here: $(grep -c '^Inst ' "$tmp/apt-s.out") package(s) to install"
        else
            sed 's/^/   /' "$tmp/apt-s.out" | tail -n 5; fail "apt-get would not install it"
        fi
        if [ "${WAMOD_CHECK_APT_INSTALL:-}" = 1 ]; then
            step "apt-get install ./$(basename "$deb") on this machine, then purge"
            # An earlier run killed while dpkg worked (man-db's trigger, say) leaves "dpkg was
            # interrupted", and apt refuses everything until its work is finished.
            if [ -n "$(dpkg --audit 2>/dev/null)" ]; then
                printf '   dpkg reports unfinished work; running dpkg --configure -a\n'
                DEBIAN_FRONTEND=noninteractive dpkg --configure -a > "$tmp/dpkg-a.out" 2>&1 \
                    || { tail -n 5 "$tmp/dpkg-a.out" | sed 's/^/   /'; fail "dpkg --configure -a failed"; }
            fi
            if dpkg -s wamod >/dev/null 2>&1; then
                fail "a wamod package is already installed here; not replacing it"
            else
                apt_installed=1
                if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$(readlink -f "$deb")" > "$tmp/apt.out" 2>&1; then
                    need test "$(/usr/bin/wamod --version)" = "$version"
                    [ "$(man -w wamod 2>/dev/null)" = /usr/share/man/man1/wamod.1.gz ] && ok "man -w wamod: /usr/share/man/man1/wamod.1.gz" \
                        || fail "man does not find the installed page"
                    need hidden /usr/bin/wamod --version >/dev/null
                    ok "installed: $(/usr/bin/wamod --version)"
                else
                    tail -n 5 "$tmp/apt.out" | sed 's/^/   /'; fail "apt-get install failed"
                fi
                DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq wamod > "$tmp/apt.out" 2>&1 || fail "apt-get purge failed"
                apt_installed=
                [ ! -e /usr/bin/wamod ] && ok "purged" || fail "/usr/bin/wamod is still there"
            fi
            took
        fi
    fi
else
    fail "no .deb was built"
fi

printf '\ncheck-install: %d s in all, %s\n' "$((SECONDS - started))" "$([ "$failures" = 0 ] && echo "every check passed" || echo "$failures check(s) FAILED")"
[ "$failures" = 0 ]
