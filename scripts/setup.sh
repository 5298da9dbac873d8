#!/usr/bin/env bash
# One-command install: the external tools the tests use as users do (age CLI, rclone, restic, sshd, expect for a TTY,
# systemd-analyze, GNU tar, zstd, promtool from Debian's prometheus, debootstrap and systemd-nspawn for
# test:systemd), then the npm dependencies (which also builds dist/).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for pair in age:age rclone:rclone expect:expect zstd:zstd systemd-analyze:systemd tar:tar promtool:prometheus debootstrap:debootstrap systemd-nspawn:systemd-container restic:restic sshd:openssh-server; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]} (Debian packages)"
  if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

npm ci
