import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const TMPFS_MAGIC = 0x01021994;
/**
 * systemd-nspawn keeps per-container propagation dirs here and refuses to delete them from a disk file system
 * ("Attempted to remove disk file system under …"); where /run is not a tmpfs, a tmpfs goes on top of it.
 */
export const NSPAWN_RUNTIME = '/run/systemd/nspawn';

export function isMountPoint(dir: string): boolean {
  return spawnSync('mountpoint', ['-q', dir]).status === 0;
}

function mustRun(file: string, args: string[]): void {
  const result = spawnSync(file, args, { encoding: 'utf8' });
  if (result.status !== 0)
    throw new Error(
      `${file} ${args.join(' ')} failed (exit ${result.status ?? result.signal}): ${(result.stderr || result.stdout).trim()}`,
    );
}

export interface NspawnRuntime {
  created: boolean;
  mounted: boolean;
}

/** Mounts the tmpfs when needed; says what this call did, so the caller undoes just that. */
export function ensureNspawnRuntime(): NspawnRuntime {
  const created = !fs.existsSync(NSPAWN_RUNTIME);
  fs.mkdirSync(NSPAWN_RUNTIME, { recursive: true });
  if (fs.statfsSync(NSPAWN_RUNTIME).type === TMPFS_MAGIC) return { created, mounted: false };
  mustRun('mount', ['-t', 'tmpfs', '-o', 'mode=0755', 'tmpfs', NSPAWN_RUNTIME]);
  return { created, mounted: true };
}

/** Unmounts our tmpfs (and removes the dir we made) unless a container, ours or another run's, still uses it. */
export function releaseNspawnRuntime(runtime: NspawnRuntime): void {
  const propagate = path.join(NSPAWN_RUNTIME, 'propagate');
  if (fs.existsSync(propagate) && fs.readdirSync(propagate).length > 0) return;
  if (runtime.mounted && isMountPoint(NSPAWN_RUNTIME)) mustRun('umount', [NSPAWN_RUNTIME]);
  if (runtime.created && !isMountPoint(NSPAWN_RUNTIME)) fs.rmSync(NSPAWN_RUNTIME, { recursive: true, force: true });
}

export function mountOverlay(lower: string, upper: string, work: string, merged: string): void {
  mustRun('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lower},upperdir=${upper},workdir=${work}`, merged]);
}

export function unmount(dir: string): void {
  if (isMountPoint(dir)) mustRun('umount', [dir]);
}

/** The cgroup hierarchies a process must be moved in to have a cgroup of its own (hybrid or unified host). */
function hierarchies(): string[] {
  const hybrid = ['/sys/fs/cgroup/systemd', '/sys/fs/cgroup/unified'].filter((dir) => fs.existsSync(path.join(dir, 'cgroup.procs')));
  if (hybrid.length) return hybrid;
  return fs.existsSync('/sys/fs/cgroup/cgroup.procs') ? ['/sys/fs/cgroup'] : [];
}

/**
 * A cgroup per container: with --keep-unit and no systemd on the host, nspawn puts its "supervisor" and "payload"
 * cgroups beside itself, so without one of its own two containers (or two runs) would share them.
 */
export function createCgroups(name: string): string[] {
  return hierarchies().map((dir) => {
    const group = path.join(dir, name);
    fs.mkdirSync(group, { recursive: true });
    return group;
  });
}

function subgroups(group: string): string[] {
  if (!fs.existsSync(group)) return [];
  const children = fs
    .readdirSync(group, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .flatMap((e) => subgroups(path.join(group, e.name)));
  return [...children, group];
}

/** Pids still in a cgroup tree of ours (a container that did not go away). */
export function cgroupPids(groups: string[]): number[] {
  const pids = new Set<number>();
  for (const group of groups) {
    for (const dir of subgroups(group)) {
      const text = fs.existsSync(path.join(dir, 'cgroup.procs')) ? fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8') : '';
      for (const pid of text.split('\n').filter(Boolean)) pids.add(Number(pid));
    }
  }
  return [...pids];
}

/** Removes our cgroup trees, deepest first (they must be empty: the caller stopped everything in them). */
export function removeCgroups(groups: string[]): void {
  for (const group of groups) for (const dir of subgroups(group)) fs.rmdirSync(dir);
}
