#!/usr/bin/env bash
# Installs the Debian packages that the tests use to run real servers.
#
# Silent and quick when everything is installed. As root on Debian it
# installs what is missing; elsewhere it names the missing packages and
# exits 0 (the tests that need them skip), or 1 when CI=true (where a test
# that skips is a test that did not run).
set -euo pipefail

# One line per package: the Debian package, then a command it provides,
# which is how the package is found on a machine without dpkg.
REQUIRED=(
	"slapd slapd"
	"ldap-utils ldapsearch"
	"chromium chromium"
	"nginx nginx"
	"redis-server redis-server"
	# Samba's Active Directory domain controller (ldapstore/adtest). The
	# modules and provisioning data provide no command of their own;
	# without samba-vfs-modules provisioning fails in setsysvolacl.
	"samba samba"
	"samba-dsdb-modules samba-tool"
	"samba-ad-provision samba-tool"
	"samba-vfs-modules samba"
	"ldb-tools ldbmodify"
)

# installed PACKAGE COMMAND
installed() {
	local package=$1 command=$2
	if command -v dpkg-query >/dev/null 2>&1; then
		[[ $(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null) == installed ]]
	else
		command -v "$command" >/dev/null 2>&1 || [[ -x /usr/sbin/$command ]]
	fi
}

missing_packages() {
	local line package command
	for line in "${REQUIRED[@]}"; do
		read -r package command <<<"$line"
		installed "$package" "$command" || printf '%s\n' "$package"
	done
}

# Debian starts a daemon as soon as its package is installed unless
# policy-rc.d says no; a system slapd, nginx, redis or samba would then hold the
# ports and state that tests expect to be theirs. The file is left in place
# so later upgrades do not start them either.
forbid_daemon_start() {
	local policy=/usr/sbin/policy-rc.d
	if [[ -e $policy ]]; then
		return
	fi
	printf '#!/bin/sh\n# Do not start daemons on package installation.\nexit 101\n' >"$policy"
	chmod 0755 "$policy"
}

# install PACKAGE... ; apt's chatter is shown only when it fails.
install() {
	local log
	log=$(mktemp)
	forbid_daemon_start
	export DEBIAN_FRONTEND=noninteractive
	if ! { apt-get update -q && apt-get install -y -q --no-install-recommends "$@"; } >"$log" 2>&1; then
		cat "$log" >&2
		rm -f "$log"
		echo "test-deps: installing $* failed" >&2
		return 1
	fi
	rm -f "$log"
	echo "test-deps: installed $*"
}

cannot_install() {
	echo "test-deps: missing packages: $*; install them as root with: apt-get install $*" >&2
	if [[ ${CI:-} == true ]]; then
		exit 1
	fi
	echo "test-deps: the tests that need them will be skipped" >&2
}

main() {
	local missing
	mapfile -t missing < <(missing_packages)
	if ((${#missing[@]} == 0)); then
		return
	fi
	if [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
		install "${missing[@]}"
	else
		cannot_install "${missing[@]}"
	fi
}

main "$@"
