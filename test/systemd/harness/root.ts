import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The Debian release and packages of the container root: systemd as PID 1, logind for linger, a user bus, restic (0.14, as users install it). */
export const SUITE = 'bookworm';
export const PACKAGES = ['systemd', 'systemd-sysv', 'dbus', 'dbus-user-session', 'libpam-systemd', 'restic'];
/** Units a minimal boot does not need: timers that would wake up mid-test, and the login prompt. */
const MASKED_UNITS = [
  'apt-daily.timer',
  'apt-daily-upgrade.timer',
  'dpkg-db-backup.timer',
  'e2scrub_all.timer',
  'fstrim.timer',
  'console-getty.service',
];
/** Bump when the way the root is prepared changes, so a cached root from an older harness is not re-used. */
const ROOT_RECIPE = 1;
const COMPLETE_MARKER = '.openclaw-backup-root-complete';

/** Cache outside the repo, re-used across runs: $OPENCLAW_SYSTEMD_CACHE or ~/.cache/openclaw-backup-systemd. */
export function cacheRoot(): string {
  return process.env.OPENCLAW_SYSTEMD_CACHE ?? path.join(os.homedir(), '.cache', 'openclaw-backup-systemd');
}

/** The Debian mirror apt already uses on this machine (deb822 or one-line sources), else deb.debian.org. */
export function debianMirror(): string {
  if (process.env.OPENCLAW_SYSTEMD_MIRROR) return process.env.OPENCLAW_SYSTEMD_MIRROR;
  const candidates = ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list'];
  for (const file of candidates) {
    const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    const uri =
      /^URIs:\s*(\S+\/debian)\/?\s*$/m.exec(text)?.[1] ?? /^deb\s+(?:\[[^\]]*\]\s+)?(\S+\/debian)\/?\s+\S+\s+main/m.exec(text)?.[1];
    if (uri) return uri;
  }
  return 'http://deb.debian.org/debian';
}

function missingTools(): string[] {
  return ['debootstrap', 'systemd-nspawn', 'nsenter', 'mount'].filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
}

/** Why this machine cannot run the suite, or undefined. The suite fails with this text; it never skips. */
export function preflight(): string | undefined {
  if (process.platform !== 'linux') return `needs Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'needs root (debootstrap, mounts and systemd-nspawn); CI runs as root';
  const missing = missingTools();
  if (missing.length) return `missing ${missing.join(', ')}: run ./scripts/setup.sh (it installs debootstrap and systemd-container)`;
  return undefined;
}

function rootKey(mirror: string): string {
  return createHash('sha256').update(JSON.stringify({ SUITE, PACKAGES, MASKED_UNITS, ROOT_RECIPE, mirror })).digest('hex').slice(0, 12);
}

function prepare(root: string): void {
  for (const unit of MASKED_UNITS) {
    const link = path.join(root, 'etc', 'systemd', 'system', unit);
    fs.rmSync(link, { force: true });
    fs.symlinkSync('/dev/null', link);
  }
  fs.rmSync(path.join(root, 'var', 'cache', 'apt', 'archives'), { recursive: true, force: true });
  fs.writeFileSync(path.join(root, COMPLETE_MARKER), `${new Date().toISOString()}\n`);
}

/**
 * A Debian root with systemd, built once with debootstrap (under a minute from the mirror) and cached; containers
 * boot from an overlay on it, so it is never written after it is complete. Throws with the reason when it cannot
 * be built, so the suite fails instead of skipping.
 */
export function ensureRoot(log: (line: string) => void = () => {}): string {
  const problem = preflight();
  if (problem) throw new Error(`systemd suite: ${problem}`);
  const mirror = debianMirror();
  const cache = cacheRoot();
  const root = path.join(cache, `${SUITE}-${rootKey(mirror)}`);
  if (fs.existsSync(path.join(root, COMPLETE_MARKER))) return root;
  fs.mkdirSync(cache, { recursive: true });
  fs.rmSync(root, { recursive: true, force: true });
  const building = fs.mkdtempSync(path.join(cache, 'building-'));
  const logFile = `${building}.log`;
  log(`systemd suite: building a ${SUITE} root with debootstrap from ${mirror} (cached in ${cache})`);
  const started = Date.now();
  const result = spawnSync('debootstrap', ['--variant=minbase', `--include=${PACKAGES.join(',')}`, SUITE, building, mirror], {
    stdio: ['ignore', fs.openSync(logFile, 'w'), 'pipe'],
    encoding: 'utf8',
    timeout: 15 * 60_000,
  });
  if (result.status !== 0) {
    const tail = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').trim().split('\n').slice(-8).join('\n') : '';
    fs.rmSync(building, { recursive: true, force: true });
    throw new Error(
      `systemd suite: debootstrap ${SUITE} failed (exit ${result.status ?? result.signal}); log ${logFile}:\n${tail}\n${result.stderr ?? ''}`.trim(),
    );
  }
  prepare(building);
  // Another run may have finished the same root meanwhile: keep the first, drop ours.
  try {
    fs.renameSync(building, root);
  } catch {
    fs.rmSync(building, { recursive: true, force: true });
  }
  fs.rmSync(logFile, { force: true });
  log(`systemd suite: root ready in ${((Date.now() - started) / 1000).toFixed(0)} s: ${root}`);
  return root;
}
