# Building and installing wamod outside SwiftPM's own commands (README: "Install on a
# bastion"). Everything is built in .build-release, so the debug build in .build is kept.
#
#   make                                  release build, staged in .build-release/stage
#   make install PREFIX=/usr/local        binary, completions and man page under PREFIX
#   make uninstall PREFIX=/usr/local      what install put there, from its manifest
#   make deb                              .build-release/wamod_<version>_<arch>.deb
#   make check-install                    the whole route checked in a temporary prefix (CI)
#
# DESTDIR is honoured by install and uninstall.

PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: all build install uninstall deb check-install clean-release

all: build

build:
	scripts/build-release.sh

install: build
	scripts/install.sh PREFIX="$(PREFIX)" DESTDIR="$(DESTDIR)"

uninstall:
	scripts/install.sh --uninstall PREFIX="$(PREFIX)" DESTDIR="$(DESTDIR)"

deb: build
	WAMOD_SKIP_BUILD=1 scripts/build-deb.sh

check-install:
	scripts/check-install.sh

clean-release:
	rm -rf .build-release
