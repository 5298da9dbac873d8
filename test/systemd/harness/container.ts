import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runProcess, waitFor, type ProcessResult } from '../../openclaw/harness/process.js';
import { cgroupPids, createCgroups, isMountPoint, mountOverlay, NSPAWN_RUNTIME, removeCgroups, unmount } from './host-mounts.js';

export interface ContainerOptions {
  /** The cached Debian root: the lower layer of an overlay, never written. */
  root: string;
  /** Host directories bound read-only at the same path inside. */
  readOnlyBinds: string[];
}

export interface ExecOptions {
  /** Run as this user (runuser), else as root. */
  user?: string;
  /** The whole environment of the command (nothing leaks in from the host). */
  env?: Record<string, string>;
  timeoutMs?: number;
}

const ROOT_ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' };

function childPids(pid: number): number[] {
  try {
    return fs
      .readdirSync(`/proc/${pid}/task`)
      .flatMap((tid) => fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number));
  } catch {
    return [];
  }
}

function isPidOne(pid: number): boolean {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const nspid = /^NSpid:\s+(.*)$/m.exec(status)?.[1]?.trim().split(/\s+/) ?? [];
    return nspid.at(-1) === '1' && fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'systemd';
  } catch {
    return false;
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function exitsWithin(child: ChildProcess, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const done = await Promise.race([exited(child).then(() => true as const), timeout]);
  clearTimeout(timer);
  return done;
}

/**
 * A Debian container booted with systemd as PID 1 by systemd-nspawn, on an overlay over the cached root (its upper
 * layer survives a shutdown or power cut, so the same machine can boot again). Commands run inside through nsenter.
 */
export class Container {
  readonly name = `ocb-${randomBytes(4).toString('hex')}`;
  readonly runDir: string;
  /** The container's / as the host sees it (the overlay mount). */
  readonly merged: string;
  private readonly cgroups: string[];
  private nspawn: ChildProcess | undefined;
  private leaderPid: number | undefined;
  boots = 0;

  private constructor(private readonly options: ContainerOptions) {
    this.runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocb-systemd-'));
    this.merged = path.join(this.runDir, 'merged');
    for (const dir of ['upper', 'work', 'merged']) fs.mkdirSync(path.join(this.runDir, dir));
    mountOverlay(options.root, path.join(this.runDir, 'upper'), path.join(this.runDir, 'work'), this.merged);
    this.cgroups = createCgroups(`openclaw-backup-systemd-${this.name}`);
  }

  /** Mounts a fresh overlay and boots it; the caller disposes it (also when boot fails). */
  static create(options: ContainerOptions): Container {
    return new Container(options);
  }

  get leader(): number {
    if (this.leaderPid === undefined) throw new Error(`container ${this.name} is not running`);
    return this.leaderPid;
  }

  get running(): boolean {
    return this.nspawn !== undefined && this.nspawn.exitCode === null && this.nspawn.signalCode === null;
  }

  /** A path inside the container, as the host sees it. */
  hostPath(inside: string): string {
    return path.join(this.merged, inside);
  }

  private bootLog(): string {
    const file = path.join(this.runDir, `nspawn-${this.boots}.log`);
    return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').slice(-15).join('\n') : '';
  }

  /** Boots (again) and waits until systemd says the system is running. */
  async boot(): Promise<void> {
    if (this.running) throw new Error(`container ${this.name} is already running`);
    this.boots += 1;
    const log = fs.openSync(path.join(this.runDir, `nspawn-${this.boots}.log`), 'w');
    const args = [
      '--quiet',
      '-D',
      this.merged,
      '--boot',
      '--register=no',
      '--keep-unit',
      '--private-network',
      `--machine=${this.name}`,
      '--console=passive',
      '--link-journal=no',
      '--resolv-conf=off',
      '--timezone=off',
      ...this.options.readOnlyBinds.map((dir) => `--bind-ro=${dir}`),
    ];
    // Into our own cgroups first (a shell moves itself, then becomes nspawn): nspawn's own cgroups go below them.
    const procs = this.cgroups.map((group) => path.join(group, 'cgroup.procs'));
    const script = 'for f in $OCB_CGROUP_PROCS; do echo $$ > "$f" || exit 97; done; exec systemd-nspawn "$@"';
    this.nspawn = spawn('sh', ['-c', script, 'sh', ...args], {
      env: { ...ROOT_ENV, OCB_CGROUP_PROCS: procs.join(' ') },
      stdio: ['ignore', log, log],
    });
    fs.closeSync(log);
    const nspawn = this.nspawn;
    try {
      this.leaderPid = await waitFor(
        () => {
          if (!this.running) throw new Error(`systemd-nspawn exited (${nspawn.exitCode ?? nspawn.signalCode}):\n${this.bootLog()}`);
          return childPids(nspawn.pid ?? -1).find(isPidOne);
        },
        60_000,
        () => `container ${this.name}: no systemd PID 1 yet:\n${this.bootLog()}`,
      );
      // PID 1 exists a moment before /run/systemd/system ("offline") and its bus do.
      const state = await waitFor(
        async () => {
          const result = await this.exec(['systemctl', 'is-system-running', '--wait'], { timeoutMs: 120_000 });
          return /Failed to connect to bus/.test(result.stderr) || result.stdout.trim() === 'offline' ? undefined : result;
        },
        60_000,
        () => `container ${this.name}: systemd's bus never came up`,
      );
      if (state.stdout.trim() !== 'running') {
        const failed = await this.exec(['systemctl', '--failed', '--no-legend', '--plain']);
        throw new Error(
          `container ${this.name} booted "${state.stdout.trim()}" (not running; exit ${state.code}: ${state.stderr.trim()}); failed units: ${failed.stdout.trim() || 'none'}`,
        );
      }
    } catch (error) {
      await this.powerCut();
      throw error;
    }
  }

  /** Runs a command inside (all of PID 1's namespaces), as root or as a user, with only the given environment. */
  exec(argv: string[], options: ExecOptions = {}): Promise<ProcessResult> {
    return runProcess('nsenter', this.nsenterArgs(argv, options), { env: ROOT_ENV, timeoutMs: options.timeoutMs ?? 120_000 });
  }

  /** The same, left running (the caller waits for it or stops it). */
  spawn(argv: string[], options: ExecOptions = {}): ChildProcess {
    return spawn('nsenter', this.nsenterArgs(argv, options), { env: ROOT_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  }

  private nsenterArgs(argv: string[], options: ExecOptions): string[] {
    const env = Object.entries(options.env ?? ROOT_ENV).map(([key, value]) => `${key}=${value}`);
    return [
      '-t',
      String(this.leader),
      '-a',
      '--',
      ...(options.user ? ['runuser', '-u', options.user, '--'] : []),
      'env',
      '-i',
      ...env,
      ...argv,
    ];
  }

  /** A clean shutdown: nspawn turns SIGTERM into systemd's halt request; every unit is stopped. */
  async shutdown(): Promise<void> {
    const nspawn = this.nspawn;
    if (!nspawn || !this.running) return;
    process.kill(nspawn.pid ?? -1, 'SIGTERM');
    if (!(await exitsWithin(nspawn, 120_000))) {
      process.stderr.write(`container ${this.name} did not halt within 120 s of SIGTERM; cutting its power\n`);
      await this.powerCut();
    }
    this.leaderPid = undefined;
  }

  /** Pulls the plug: SIGKILL to the container's PID 1 ends every process in it at once, as a power cut would. */
  async powerCut(): Promise<void> {
    const nspawn = this.nspawn;
    if (!nspawn) return;
    if (this.leaderPid !== undefined) {
      try {
        process.kill(this.leaderPid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (this.running && !(await exitsWithin(nspawn, 30_000))) {
      process.kill(nspawn.pid ?? -1, 'SIGKILL');
      await exited(nspawn);
    }
    this.leaderPid = undefined;
  }

  /** Stops the container, unmounts the overlay, removes our cgroups and the run dir. */
  async dispose(): Promise<void> {
    await this.shutdown();
    // Anything left in our cgroups is a process of this container: end it by pid.
    for (const pid of cgroupPids(this.cgroups)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await waitFor(
      () => (cgroupPids(this.cgroups).length === 0 ? true : undefined),
      30_000,
      () => `processes left in ${this.cgroups.join(', ')}: ${cgroupPids(this.cgroups).join(' ')}`,
    );
    removeCgroups(this.cgroups);
    // nspawn removes its propagation dir when it exits normally, not when it had to be killed.
    fs.rmSync(path.join(NSPAWN_RUNTIME, 'propagate', this.name), { recursive: true, force: true });
    unmount(this.merged);
    if (isMountPoint(this.merged)) throw new Error(`${this.merged} is still mounted; leaving ${this.runDir} in place`);
    await runProcess('rm', ['-rf', '--one-file-system', this.runDir], { env: ROOT_ENV });
  }
}
