#!/usr/bin/env bash
# Builds what `make install` and the Debian package ship, and stages it in
# $WAMOD_SCRATCH/stage (default .build-release/stage, git-ignored):
#
#   bin/wamod              release build, the Swift runtime and Foundation linked in
#                          (--static-swift-stdlib), stripped: it runs without the toolchain
#   completions/wamod.bash, completions/_wamod, completions/wamod.fish
#   man/wamod.1            from swift-argument-parser's generate-manual, dated by the commit
#
#   scripts/build-release.sh        (make build calls it; make install and make deb too)
#
# The release build has its own scratch folder, so the debug build in .build is kept.
# What it needs beyond the toolchain: libncurses-dev, libsqlite3-dev and libcurl4-openssl-dev
# (FoundationNetworking's static archive calls libcurl; only the -dev package has the
# unversioned libcurl.so the linker looks for), and strip (binutils).
# Environment: SWIFT (default swift), WAMOD_SCRATCH (default .build-release).
set -euo pipefail
cd "$(dirname "$0")/.."

swift=${SWIFT:-swift}
scratch=${WAMOD_SCRATCH:-.build-release}
stage=$scratch/stage
# -z now: every symbol bound at start, so the relocations can be read-only (RELRO) in full.
flags=(-c release --static-swift-stdlib -Xlinker -lcurl -Xlinker -z -Xlinker now --scratch-path "$scratch")

say() { printf 'build-release: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# What the link needs, said before a long build rather than after it.
multiarch=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
have_lib() {
    local d
    for d in "/usr/lib/$multiarch" /usr/lib /usr/lib64 /usr/local/lib; do
        [ -e "$d/$1" ] && return 0
    done
    return 1
}
missing=()
have_lib libcurl.so || missing+=(libcurl4-openssl-dev)
have_lib libsqlite3.so || missing+=(libsqlite3-dev)
[ -e /usr/include/ncursesw/curses.h ] || missing+=(libncurses-dev)
command -v strip >/dev/null 2>&1 || missing+=(binutils)
if [ ${#missing[@]} -gt 0 ]; then
    die "missing: ${missing[*]} (apt-get install ${missing[*]})"
fi

started=$SECONDS
say "swift build ${flags[*]}"
bin=$("$swift" build "${flags[@]}" --show-bin-path)
# The man page's generator: swift-argument-parser's own tool, the one its generate-manual
# plugin runs. The plugin itself (`swift package plugin generate-manual`) works here, offline,
# but it builds the whole package again with its own flags (without --static-swift-stdlib,
# which every compile command carries): a second release build. Built with the same flags,
# the tool costs its own few files. Only when it is missing or older than its checkout:
# building another product makes SwiftPM plan again, and link wamod again next time.
if [ ! -x "$bin/generate-manual" ] || [ "$scratch/checkouts/swift-argument-parser/Package.swift" -nt "$bin/generate-manual" ]; then
    "$swift" build "${flags[@]}" --product generate-manual
fi
"$swift" build "${flags[@]}" --product wamod
say "built in $((SECONDS - started)) s"

rm -rf "$stage"
mkdir -p "$stage/bin" "$stage/completions" "$stage/man"
cp "$bin/wamod" "$stage/bin/wamod.tmp"
# As Debian's dh_strip does for a program: the symbols, and the compilers' .comment notes.
strip --remove-section=.comment --remove-section=.note "$stage/bin/wamod.tmp"
mv "$stage/bin/wamod.tmp" "$stage/bin/wamod"
chmod 0755 "$stage/bin/wamod"

w=$stage/bin/wamod
# Completion scripts are sourced, not run: the bash one's #! line goes (lintian:
# bash-completion-with-hashbang). zsh's first line (#compdef) is what zsh reads; it stays.
"$w" --generate-completion-script bash | sed '1{/^#!/d}' > "$stage/completions/wamod.bash"
"$w" --generate-completion-script zsh > "$stage/completions/_wamod"
"$w" --generate-completion-script fish > "$stage/completions/wamod.fish"

# Dated by the commit, as `wamod --version` is, so the same commit gives the same page.
date=$("$w" --version | sed -n 's/.*, \([0-9]\{4\}-[0-9][0-9]-[0-9][0-9]\))$/\1/p')
[ -n "$date" ] || date=$(date -u +%Y-%m-%d)
"$bin/generate-manual" "$w" --date "$date" --output-directory "$stage/man"
[ -s "$stage/man/wamod.1" ] || die "generate-manual wrote no wamod.1"
# A blank line in a command's discussion is a new paragraph; mdoc wants that said (.Pp), and
# warns of every blank line otherwise (lintian shows them as groff-message).
sed -i 's/^[[:space:]]*$/.Pp/' "$stage/man/wamod.1"

say "$("$w" --version)"
say "staged in $stage: bin/wamod $(du -k "$w" | cut -f1) KB stripped ($(du -k "$bin/wamod" | cut -f1) KB before), completions, man page"
