#!/usr/bin/env bash
# Installs the named programs from Debian's packages when they are missing (apt-get, as root or with sudo).
# A user who only wants backups needs at most `restic age`; scripts/setup.sh names every tool the test suites drive.
# Usage: scripts/install-tools.sh COMMAND…   (e.g. restic age)
set -euo pipefail

package_of() {
  case "$1" in
    age | age-keygen) echo age ;;
    restic) echo restic ;;
    rclone) echo rclone ;;
    expect) echo expect ;;
    zstd) echo zstd ;;
    tar) echo tar ;;
    systemd-analyze) echo systemd ;;
    promtool) echo prometheus ;;
    debootstrap) echo debootstrap ;;
    systemd-nspawn) echo systemd-container ;;
    sshd) echo openssh-server ;;
    chromium) echo chromium ;;
    *) echo "install-tools: unknown program: $1" >&2; return 1 ;;
  esac
}

missing=()
for tool in "$@"; do
  package="$(package_of "$tool")"
  command -v "$tool" >/dev/null 2>&1 || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-tools: no apt-get here; install ${missing[*]} with your system's package manager (macOS: brew install ${missing[*]})" >&2
  exit 1
fi
echo "install-tools: installing ${missing[*]} (Debian packages)"
if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
  echo "install-tools: need root or sudo to install: ${missing[*]}" >&2; exit 1
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
