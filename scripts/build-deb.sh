#!/usr/bin/env bash
# Builds the Debian package from the staged release build (scripts/build-release.sh, which
# it runs first; `make deb` is the same):
#
#   scripts/build-deb.sh      → .build-release/wamod_<version>_<arch>.deb
#
# The package, with Debian's places for each file:
#   /usr/bin/wamod
#   /usr/share/man/man1/wamod.1.gz
#   /usr/share/bash-completion/completions/wamod
#   /usr/share/zsh/vendor-completions/_wamod
#   /usr/share/fish/vendor_completions.d/wamod.fish
#   /usr/share/doc/wamod/copyright     (machine-readable; what is linked into the binary)
#   /usr/share/doc/wamod/changelog.gz  (a native package's)
#
# Version: the source's (GatewayKit/Version.swift) and the commit, `0.1.0+git20261202.abc1234`
# (`.modified` after it when the tree differed from the commit), so a later commit is a
# later package; `0.1.0` alone when built without git. Depends: computed by dpkg-shlibdeps
# (dpkg-dev) from the binary's own library needs. Every file is dated by the commit, so the
# same commit gives the same package.
# Environment: WAMOD_SCRATCH (default .build-release); DEB_MAINTAINER (default: the
# commit's author), WAMOD_SKIP_BUILD=1 to package what is staged as it is.
set -euo pipefail
cd "$(dirname "$0")/.."

scratch=${WAMOD_SCRATCH:-.build-release}
stage=$scratch/stage
say() { printf 'build-deb: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

for tool in dpkg-deb dpkg-shlibdeps gzip; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is missing (apt-get install dpkg-dev)"
done

[ "${WAMOD_SKIP_BUILD:-}" = 1 ] || scripts/build-release.sh
[ -x "$stage/bin/wamod" ] || die "nothing staged in $stage"

# What the binary says of itself: `wamod 0.1.0 (commit abc1234, 2026-12-02)`.
said=$("$stage/bin/wamod" --version)
upstream=$(printf '%s' "$said" | sed -n 's/^wamod \([0-9][0-9A-Za-z.~]*\) .*/\1/p')
[ -n "$upstream" ] || die "cannot read a version from '$said'"
commit=$(printf '%s' "$said" | sed -n 's/.*(commit \([0-9a-f]\{7,\}\).*/\1/p')
cdate=$(printf '%s' "$said" | sed -n 's/.*, \([0-9]\{4\}\)-\([0-9][0-9]\)-\([0-9][0-9]\))$/\1\2\3/p')
version=$upstream
if [ -n "$commit" ] && [ -n "$cdate" ]; then
    version="$upstream+git$cdate.$commit"
    case $said in *"with local changes"*) version="$version.modified" ;; esac
fi
arch=$(dpkg --print-architecture)

# The commit's time for every date in the package; the build's time without git.
# (The binary's own commit, which is HEAD's unless what is staged was built before a commit.)
at=${commit:-HEAD}
if [ -n "$commit" ] && epoch=$(git log -1 --format=%ct "$at" 2>/dev/null) && [ -n "$epoch" ]; then :; else epoch=$(date +%s); fi
export SOURCE_DATE_EPOCH=$epoch
maintainer=${DEB_MAINTAINER:-$(git log -1 --format='%an <%ae>' "$at" 2>/dev/null || true)}
[ -n "$maintainer" ] || die "set DEB_MAINTAINER='Name <address>' (no git to take the commit's author from)"

root=$scratch/deb/wamod_${version}_$arch
rm -rf "$scratch/deb"
mkdir -p "$root/DEBIAN"
doc=$root/usr/share/doc/wamod
install -d -m 0755 "$root/usr/bin" "$root/usr/share/man/man1" "$root/usr/share/bash-completion/completions" \
    "$root/usr/share/zsh/vendor-completions" "$root/usr/share/fish/vendor_completions.d" "$doc"
install -m 0755 "$stage/bin/wamod" "$root/usr/bin/wamod"
gzip -9n < "$stage/man/wamod.1" > "$root/usr/share/man/man1/wamod.1.gz"
install -m 0644 "$stage/completions/wamod.bash" "$root/usr/share/bash-completion/completions/wamod"
install -m 0644 "$stage/completions/_wamod" "$root/usr/share/zsh/vendor-completions/_wamod"
install -m 0644 "$stage/completions/wamod.fish" "$root/usr/share/fish/vendor_completions.d/wamod.fish"

# --- changelog (Debian's format; one entry, for the commit the package is built from) ---
when=$(date -u -R -d "@$epoch")
{
    echo "wamod ($version) unstable; urgency=medium"
    echo
    if [ -n "$commit" ]; then
        echo "  * Built from commit $commit of the wamod repository."
        subject=$(git log -1 --format=%s "$commit" 2>/dev/null | cut -c1-55 | sed "s/[[:space:]]*$//" || true)
        [ -z "$subject" ] || echo "    Its last change: $subject"
    else
        echo "  * Built from a tree without git history."
    fi
    echo
    echo " -- $maintainer  $when"
} | gzip -9n > "$doc/changelog.gz"

# --- copyright: wamod itself, the Swift runtime and Foundation, and each package whose code
# the linker put into the binary (read from SwiftPM's list of the objects it linked). ---
linkfiles=$(find "$scratch" -path '*/release/wamod.product/Objects.LinkFileList' -print -quit)
[ -n "$linkfiles" ] || die "no Objects.LinkFileList for wamod under $scratch: was it built?"
modules=$(sed -e 's/^"//' -e 's/"$//' "$linkfiles" | sed -n 's#.*/\([^/]*\)\.build/[^/]*$#\1#p' | sort -u)
# Which package each module comes from: the first of its own source files that SwiftPM's
# build manifest names as an input of its compile commands.
manifest=$scratch/release.yaml
package_of() {
    awk -v m="$1" '
      /^  "/ { key = $0; next }
      /^    inputs: / && (index(key, "/release/" m ".build/") || index(key, "\"C." m "-")) {
        if (match($0, /checkouts\/[^\/"]+\/[^"]*\.(swift|c|cc|cpp|S)"/)) {
          s = substr($0, RSTART + 10); sub(/\/.*/, "", s); print s; exit
        }
      }' "$manifest"
}
declare -A package_modules=()
for m in $modules; do
    [ -d "Sources/$m" ] && continue   # wamod's own
    pkg=$(package_of "$m")
    [ -n "$pkg" ] && [ -d "$scratch/checkouts/$pkg" ] \
        || die "module $m was linked in, but $manifest does not say which package it comes from: say it in scripts/build-deb.sh"
    package_modules[$pkg]="${package_modules[$pkg]:-}${package_modules[$pkg]:+, }$m"
done

# A licence text as a DEP-5 paragraph body: each line indented, blank lines as " .".
indent() { sed -e 's/[[:space:]]*$//' -e 's/^/ /' -e 's/^ $/ ./'; }
exception_text() { # the Runtime Library Exception section of a licence file
    awk '/Runtime Library Exception/ { on = 1; next } on' "$1" | sed '/^[[:space:]]*$/d'
}
# The copyright holder as the package states it: its licence file's own line (MIT), else the
# one its source files' headers give most often (byte order breaks ties, so any machine says
# the same).
holder() {
    local dir=$1 line
    line=$(grep -hoE -m1 "$copyright_re" "$dir"/LICENSE* 2>/dev/null | head -n 1 || true)
    if [ -z "$line" ]; then
        line=$(grep -rhoE "$copyright_re" "$dir" --include='*.swift' --include='*.h' --include='*.c' 2>/dev/null \
            | sed -E 's/[[:space:]]+$//' | LC_ALL=C sort | LC_ALL=C uniq -c | LC_ALL=C sort -k1,1nr -k2 | head -n 1 \
            | sed -E 's/^ *[0-9]+ //' || true)
    fi
    [ -n "$line" ] || return 1
    printf '%s\n' "$line" | sed -E -e 's/^Copyright (\(c\)|\(C\)|©) //' -e 's/[[:space:]]+$//'
}
copyright_re='Copyright (\(c\)|\(C\)|©) ([0-9]{4}[-0-9, ]* )?[^*/]+'

licenses_used=()
toolchain_license=
for f in "$(dirname "$(command -v swift)")/../share/swift/LICENSE.txt" /opt/swift/usr/share/swift/LICENSE.txt; do
    [ -f "$f" ] && { toolchain_license=$f; break; }
done
[ -n "$toolchain_license" ] || die "the toolchain's LICENSE.txt (usr/share/swift) is not found"

{
    echo "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"
    echo "Upstream-Name: wamod"
    echo "Comment: /usr/bin/wamod is one binary: wamod's own code, the Swift runtime and"
    echo " Foundation (linked in with --static-swift-stdlib), and the Swift packages below,"
    echo " each linked in as object code. It links the system's libc, libcurl, libncursesw,"
    echo " libtinfo, libsqlite3 and their own dependencies dynamically (see Depends)."
    echo
    echo "Files: *"
    echo "Copyright: $(date -u -d "@$epoch" +%Y) the wamod authors"
    echo "License: wamod"
    echo
    echo "Files: swift-toolchain/*"
    echo "Copyright: Apple Inc. and the Swift project authors"
    echo "License: Apache-2.0 with Runtime Library Exception"
    echo "Comment: The Swift standard library, Concurrency, Synchronization, Dispatch and"
    echo " Foundation (FoundationEssentials, FoundationInternationalization, FoundationNetworking,"
    echo " _FoundationICU), as the Swift toolchain ships them for static linking. _FoundationICU is"
    echo " built from ICU (Copyright Unicode, Inc.), under the Unicode licence for ICU."
    licenses_used+=("Apache-2.0 with Runtime Library Exception|$toolchain_license")
    for pkg in $(printf '%s\n' "${!package_modules[@]}" | sort -f); do
        dir=$scratch/checkouts/$pkg
        lic_file=$(ls "$dir"/LICENSE "$dir"/LICENSE.txt "$dir"/LICENSE.md 2>/dev/null | head -n 1 || true)
        [ -n "$lic_file" ] || die "package $pkg has no LICENSE file: say its licence in scripts/build-deb.sh"
        if grep -q 'Apache License' "$lic_file" && grep -q 'Version 2.0' "$lic_file"; then
            if grep -qi 'Runtime Library Exception' "$lic_file"; then
                lic="Apache-2.0 with Runtime Library Exception"
            else
                lic="Apache-2.0"
            fi
        elif grep -q 'Permission is hereby granted, free of charge' "$lic_file"; then
            lic="MIT"
        else
            die "package $pkg: its licence ($lic_file) is neither Apache-2.0 nor MIT: add it to scripts/build-deb.sh"
        fi
        who=$(holder "$dir") || die "package $pkg: no copyright line found in its licence or sources"
        echo
        echo "Files: $pkg/*"
        echo "Copyright: $who"
        echo "License: $lic"
        echo "Comment: Linked in: ${package_modules[$pkg]}."
        licenses_used+=("$lic|$lic_file")
    done
    echo
    echo "License: wamod"
    echo " The wamod repository states no licence yet: until it does, its authors keep"
    echo " every right to their code, and this package grants none."
    printf '%s\n' "${licenses_used[@]}" | sort -u -t'|' -k1,1 | while IFS='|' read -r lic file; do
        echo
        echo "License: $lic"
        case $lic in
            Apache-2.0*)
                echo " Licensed under the Apache License, Version 2.0 (the \"License\"); you may not"
                echo " use this file except in compliance with the License."
                echo " ."
                echo " On Debian systems, the full text of the Apache License, Version 2.0 is in"
                echo " /usr/share/common-licenses/Apache-2.0."
                if [ "$lic" != Apache-2.0 ]; then
                    echo " ."
                    echo " Runtime Library Exception to the Apache 2.0 License:"
                    exception_text "$file" | indent
                fi
                ;;
            MIT)
                # The licence's own text, without its copyright line (that is above).
                grep -v -E '^Copyright' "$file" | sed -e '/./,$!d' | indent
                ;;
        esac
    done
} > "$doc/copyright"
chmod 0644 "$doc/copyright" "$doc/changelog.gz"

# --- control ---
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/debian"
printf 'Source: wamod\nMaintainer: %s\n\nPackage: wamod\nArchitecture: any\nDescription: x\n' "$maintainer" > "$tmp/debian/control"
binary=$(cd "$root" && pwd)/usr/bin/wamod
depends=$(cd "$tmp" && dpkg-shlibdeps -O -e"$binary" 2>"$tmp/shlibdeps.err" | sed -n 's/^shlibs:Depends=//p') \
    || { cat "$tmp/shlibdeps.err" >&2; die "dpkg-shlibdeps failed"; }
[ -n "$depends" ] || { cat "$tmp/shlibdeps.err" >&2; die "dpkg-shlibdeps found no dependencies"; }
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<EOF
Package: wamod
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $size
Depends: $depends
Section: admin
Priority: optional
Description: console and command line for moderating WhatsApp groups
 wamod moderates WhatsApp groups through the HTTP gateway a business already
 runs (WAHA and other gateways' APIs). Its terminal console shows every
 session, its groups and their participants; tagged members are removed,
 demoted or promoted, and groups left, after a confirmation that shows what
 will happen to each person, with every request paced, logged and audited.
 The same operations are on the command line, for scripts.
EOF
(cd "$root" && find usr -type f -print0 | sort -z | xargs -0 md5sum) > "$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"
find "$root" -exec touch -h -d "@$epoch" {} +

rm -f "$scratch"/wamod_*.deb
deb=$scratch/wamod_${version}_$arch.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
say "Depends: $depends"
say "built $deb ($(du -k "$deb" | cut -f1) KB; installed $size KB)"
if command -v lintian >/dev/null 2>&1; then
    say "lintian:"
    lintian "$deb" >&2 || true
fi
printf '%s\n' "$deb"
