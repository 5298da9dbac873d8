// Timing and memory of one command: wall time from the runner's clock, peak RSS from GNU time (the largest
// process of the command's tree: our single node process, or the biggest member of a tar pipeline).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const GNU_TIME = '/usr/bin/time';
export const HAVE_GNU_TIME = fs.existsSync(GNU_TIME);

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Runs argv, returns { ms, rssKB, cpuMs (user + system of the whole tree), stdout, stderr }. Throws with stderr when it exits non-zero. */
export function measure(argv, { env = process.env, cwd } = {}) {
  const rssFile = path.join(os.tmpdir(), `ocb-bench-rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const full = HAVE_GNU_TIME ? [GNU_TIME, '-f', '%M %U %S', '-o', rssFile, '--', ...argv] : argv;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(full[0], full.slice(1), { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      let rssKB = null;
      let cpuMs = null;
      try {
        const [rss, user, sys] = fs.readFileSync(rssFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
        rssKB = rss;
        cpuMs = Math.round((user + sys) * 1000);
        fs.rmSync(rssFile, { force: true });
      } catch {
        // /usr/bin/time wrote nothing (the command failed to start): no RSS for this run
      }
      if (code !== 0) reject(new Error(`${argv.join(' ')} exited ${code}: ${stderr.slice(-2000)}`));
      else resolve({ ms, rssKB, cpuMs, stdout, stderr });
    });
  });
}

function readProcStat(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return { ticks, rssKB };
}

/**
 * Starts a long-running command, lets it settle, then samples its RSS and CPU once a second for `seconds`.
 * Returns { rssKB (max), cpuPercent (average over the window), samples } or throws if it exits early.
 */
export async function sampleIdle(argv, { env, settleMs = 5000, seconds = 60 }) {
  const child = spawn(argv[0], argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  let exited = null;
  child.on('exit', (code, signal) => (exited = { code, signal }));
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  try {
    await sleep(settleMs);
    if (exited) throw new Error(`${argv.join(' ')} exited ${exited.code ?? exited.signal} before sampling: ${output.slice(-1000)}`);
    const hz = 100;
    const first = readProcStat(child.pid);
    let maxRss = first.rssKB;
    const t0 = performance.now();
    for (let i = 0; i < seconds; i += 1) {
      await sleep(1000);
      if (exited) throw new Error(`exited ${exited.code ?? exited.signal} while idle: ${output.slice(-1000)}`);
      maxRss = Math.max(maxRss, readProcStat(child.pid).rssKB);
    }
    const last = readProcStat(child.pid);
    const elapsed = (performance.now() - t0) / 1000;
    return {
      rssKB: maxRss,
      cpuPercent: ((last.ticks - first.ticks) / hz / elapsed) * 100,
      cpuMs: ((last.ticks - first.ticks) / hz) * 1000,
      seconds: elapsed,
    };
  } finally {
    if (!exited) {
      child.kill('SIGTERM');
      await Promise.race([new Promise((r) => child.once('exit', r)), sleep(10_000)]);
      if (!exited) child.kill('SIGKILL');
    }
  }
}

export function machineInfo() {
  const cpus = os.cpus();
  return {
    hostname: os.hostname(),
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memGB: Math.round(os.totalmem() / 1e9),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    loadavg: os.loadavg().map((n) => Math.round(n * 100) / 100),
  };
}
