#!/usr/bin/env bash
# Installs what scripts/build-release.sh staged (`make` builds it) under a prefix, and
# removes it again:
#
#   scripts/install.sh [PREFIX=/usr/local] [DESTDIR=…]              (make install)
#   scripts/install.sh --uninstall [PREFIX=/usr/local] [DESTDIR=…]  (make uninstall)
#
# PREFIX and DESTDIR may also come from the environment. Under the prefix:
#
#   bin/wamod
#   share/bash-completion/completions/wamod
#   share/zsh/site-functions/_wamod
#   share/fish/vendor_completions.d/wamod.fish
#   share/man/man1/wamod.1
#   share/wamod/install-manifest     each file above, and each folder the install made
#
# Uninstalling removes the files the manifest names, the manifest, and then the folders it
# names when they are empty; nothing else. DESTDIR (for staging into a package's tree) is put
# before every path and is not recorded: uninstall with the same DESTDIR, or none once the
# tree is in place.
# It does not build: as root (`sudo make install`) nothing is compiled in your tree that
# `make` did not already build as you.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=install
for a in "$@"; do
    case $a in
        --uninstall) mode=uninstall ;;
        PREFIX=*) PREFIX=${a#PREFIX=} ;;
        DESTDIR=*) DESTDIR=${a#DESTDIR=} ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "install.sh: unknown argument '$a'" >&2; exit 2 ;;
    esac
done
prefix=${PREFIX:-/usr/local}
destdir=${DESTDIR:-}
case $prefix in /*) ;; *) echo "install.sh: PREFIX must be an absolute path (got '$prefix')" >&2; exit 2 ;; esac
prefix=${prefix%/}
root=$destdir$prefix
stage=${WAMOD_SCRATCH:-.build-release}/stage
manifest_rel=share/wamod/install-manifest
manifest=$root/$manifest_rel

say() { printf '%s\n' "$*"; }

# A manifest's path: relative, inside the prefix.
safe() {
    case $1 in ''|/*|..|../*|*/..|*/../*) return 1 ;; esac
}

if [ "$mode" = uninstall ]; then
    if [ ! -f "$manifest" ]; then
        echo "install.sh: nothing to uninstall: no $manifest (was wamod installed with this PREFIX and DESTDIR?)" >&2
        exit 1
    fi
    dirs=()
    while read -r kind path; do
        case $kind in '#'*|'') continue ;; esac
        safe "$path" || { echo "install.sh: skipping '$path' in the manifest: not a path inside the prefix" >&2; continue; }
        case $kind in
            file) [ -e "$root/$path" ] || [ -L "$root/$path" ] && rm -f "$root/$path" && say "removed $root/$path" ;;
            dir) dirs+=("$path") ;;
        esac
    done < "$manifest"
    rm -f "$manifest"
    say "removed $manifest"
    # Deepest first; a folder something else has put a file in stays.
    if [ ${#dirs[@]} -gt 0 ]; then
        while read -r d; do
            rmdir "$root/$d" 2>/dev/null && say "removed $root/$d/"
        done < <(printf '%s\n' "${dirs[@]}" | awk '{ print length($0) "\t" $0 }' | sort -rn | cut -f2-)
    fi
    exit 0
fi

for f in bin/wamod completions/wamod.bash completions/_wamod completions/wamod.fish man/wamod.1; do
    if [ ! -s "$stage/$f" ]; then
        echo "install.sh: $stage/$f is missing: build first (make, or scripts/build-release.sh)" >&2
        exit 1
    fi
done

# The folders a previous install made stay recorded, so that uninstalling after a second
# install still removes them.
declare -A made=()
if [ -f "$manifest" ]; then
    while read -r kind path; do
        [ "$kind" = dir ] && safe "$path" && made[$path]=1
    done < "$manifest"
fi

# Makes the folders of $1 (relative to the prefix) that are missing, and records them.
make_dirs() {
    local rel=$1 part= piece
    local IFS=/
    for piece in $rel; do
        part=${part:+$part/}$piece
        if [ ! -d "$root/$part" ]; then
            mkdir -m 0755 -p "$root/$part"
            made[$part]=1
        fi
    done
}

mkdir -p "$root"
files=()
put() { # put SOURCE RELATIVE-DESTINATION MODE
    make_dirs "$(dirname "$2")"
    install -m "$3" "$1" "$root/$2"
    files+=("$2")
    say "installed $root/$2"
}
put "$stage/bin/wamod" bin/wamod 0755
put "$stage/completions/wamod.bash" share/bash-completion/completions/wamod 0644
put "$stage/completions/_wamod" share/zsh/site-functions/_wamod 0644
put "$stage/completions/wamod.fish" share/fish/vendor_completions.d/wamod.fish 0644
put "$stage/man/wamod.1" share/man/man1/wamod.1 0644

make_dirs "$(dirname "$manifest_rel")"
{
    echo "# What 'make install' put under $prefix; 'make uninstall PREFIX=$prefix' removes it."
    echo "# $("$stage/bin/wamod" --version)"
    for f in "${files[@]}"; do echo "file $f"; done
    for d in "${!made[@]}"; do echo "dir $d"; done | sort
} > "$manifest.tmp"
mv -f "$manifest.tmp" "$manifest"
chmod 0644 "$manifest"
say "installed $manifest"
