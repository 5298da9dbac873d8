#!/usr/bin/env bash
# Developer and CI install: every external tool the test suites drive as users do (age CLI, rclone, restic, sshd,
# expect for a TTY, systemd-analyze, GNU tar, zstd, promtool from Debian's prometheus, debootstrap and
# systemd-nspawn for test:systemd, chromium for test:openclaw's Control UI check), then the npm dependencies. A user who only wants backups does not need this:
# see README.md, Install (scripts/install-tools.sh restic age, when used).
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-tools.sh age rclone expect zstd systemd-analyze tar promtool debootstrap systemd-nspawn restic sshd chromium

npm ci
