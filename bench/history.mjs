// The repository benchmark (issue 25), side by side in one run on the medium (500 MB) state:
// (1) seven nights, 5 notes edited a night: `create --repository` against plain `restic backup` of the same dir into a
//     second repository — wall, CPU, peak RSS, bytes added, extra local disk;
// (2) a 5-minute schedule for an hour (12 `run`s, retention applied), 5 notes and 100 database rows changed between
//     runs: our CPU per run and the mean share of one core over the hour, beside plain restic's.
// Run by `npm run bench` (skip with --no-history) or alone: node bench/history.mjs [--nights N] [--runs N].
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import JSON5 from 'json5';
import { ensureState } from './generate.mjs';
import { applyNightlyChange } from './history-state.mjs';
import { machineInfo, measure } from './measure.mjs';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.join(path.dirname(BENCH), 'dist', 'cli', 'main.js');
const START = '<!-- history:start -->';
const END = '<!-- history:end -->';
const SCHEDULE_SECONDS = 300;

/** Bytes of the files below dir; what a running backup removes while we look is skipped. */
function dirBytes(dir) {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  let total = 0;
  for (const e of entries) {
    const abs = path.join(dir, e.name);
    if (e.isDirectory()) total += dirBytes(abs);
    else if (e.isFile()) {
      try {
        total += fs.statSync(abs).size;
      } catch {
        // gone while we looked (the run's own temporaries)
      }
    }
  }
  return total;
}

/** Runs `fn` while sampling the size of `dir` every 200 ms; resolves with fn's result and the largest size seen. */
async function withPeakSize(dir, fn) {
  let peak = dirBytes(dir);
  const timer = setInterval(() => (peak = Math.max(peak, dirBytes(dir))), 200);
  try {
    const result = await fn();
    return { result, peak: Math.max(peak, dirBytes(dir)) };
  } finally {
    clearInterval(timer);
  }
}

function databaseBytes(stateDir) {
  return fs
    .readdirSync(stateDir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(sqlite3?|db)$/.test(e.name))
    .reduce((sum, e) => sum + fs.statSync(path.join(e.parentPath, e.name)).size, 0);
}

function setup(dataDir, name) {
  const source = ensureState(dataDir, 'medium', () => {});
  const work = path.join(dataDir, name);
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  const home = path.join(work, 'home');
  fs.mkdirSync(home);
  const stateDir = path.join(home, '.openclaw');
  execFileSync('cp', ['-a', source.stateDir, stateDir]);
  const pw = path.join(work, 'password');
  fs.writeFileSync(pw, 'bench-password\n', { mode: 0o600 });
  const ours = path.join(work, 'repo-ours');
  const plain = path.join(work, 'repo-plain');
  const cache = path.join(work, 'cache');
  const env = { ...process.env, HOME: home, OPENCLAW_STATE_DIR: stateDir, XDG_CACHE_HOME: cache };
  // Plain restic gets its own cache dir, as ours uses its own restic cache below XDG_CACHE_HOME.
  const plainEnv = { ...env, XDG_CACHE_HOME: path.join(work, 'cache-plain'), RESTIC_REPOSITORY: plain, RESTIC_PASSWORD_FILE: pw };
  for (const repo of [ours, plain])
    execFileSync('restic', ['init'], { env: { ...env, RESTIC_REPOSITORY: repo, RESTIC_PASSWORD_FILE: pw }, stdio: 'ignore' });
  return { source, work, stateDir, pw, ours, plain, cache, env, plainEnv };
}

/** Seven nights, ours against plain restic. */
export async function runHistory({ dataDir, nights = 7, log = () => {} }) {
  const s = setup(dataDir, 'history');
  const ourCache = path.join(s.cache, 'openclaw-backup');
  const rows = [];
  for (let night = 1; night <= nights; night += 1) {
    const changed = night > 1 ? applyNightlyChange(s.stateDir, night, { notes: 5, rows: 0, lines: 0 }) : 0;
    const row = { night, changedBytes: changed, load: os.loadavg()[0] };
    // Alternate the order so cache warmth and a neighbour's burst favour no side.
    for (const key of night % 2 ? ['b', 'c'] : ['c', 'b']) {
      if (key === 'b') {
        const before = dirBytes(s.ours);
        const { result: m, peak } = await withPeakSize(ourCache, () =>
          measure([process.execPath, CLI, 'create', '--repository', s.ours, '--repository-password-file', s.pw, '--json'], { env: s.env }),
        );
        row.b = {
          ms: Math.round(m.ms),
          cpuMs: m.cpuMs,
          rssKB: m.rssKB,
          added: dirBytes(s.ours) - before,
          diskPeak: peak,
          diskKept: dirBytes(ourCache),
        };
      } else {
        const before = dirBytes(s.plain);
        const m = await measure(['restic', 'backup', '--json', s.stateDir], { env: s.plainEnv });
        row.c = { ms: Math.round(m.ms), cpuMs: m.cpuMs, rssKB: m.rssKB, added: dirBytes(s.plain) - before };
      }
    }
    rows.push(row);
    log(
      `history night ${night}: ours ${(row.b.ms / 1000).toFixed(1)} s (cpu ${(row.b.cpuMs / 1000).toFixed(1)} s) +${(row.b.added / 1e3).toFixed(0)} kB, ` +
        `restic ${(row.c.ms / 1000).toFixed(1)} s (cpu ${(row.c.cpuMs / 1000).toFixed(1)} s) +${(row.c.added / 1e3).toFixed(0)} kB (load ${row.load.toFixed(1)})`,
    );
  }
  const incremental = rows.slice(1);
  const worst = (field) => Math.max(...incremental.map((r) => r.b[field] / Math.max(1, r.c[field])));
  const stateBytes = s.source.bytes;
  const dbBytes = databaseBytes(s.stateDir);
  const result = {
    date: new Date().toISOString(),
    machine: machineInfo(),
    stateBytes,
    files: s.source.files,
    databaseBytes: dbBytes,
    nights: rows,
    totals: { b: dirBytes(s.ours), c: dirBytes(s.plain) },
    checks: {
      wallPerNight: { worst: worst('ms'), target: 1.5 },
      bytesAddedPerNight: { worst: worst('added'), target: 1.5 },
      peakRssMB: { worst: Math.max(...rows.map((r) => r.b.rssKB)) / 1024, target: 150 },
      extraDisk: { worst: Math.max(...rows.map((r) => r.b.diskPeak)), target: dbBytes + 0.05 * stateBytes },
    },
  };
  fs.rmSync(s.work, { recursive: true, force: true });
  return result;
}

/** Twelve 5-minute runs (an hour), ours (`run`, with retention) against plain restic (`backup` + `forget`). */
export async function runSchedule({ dataDir, runs = 12, log = () => {} }) {
  const s = setup(dataDir, 'schedule');
  const config = JSON5.parse(fs.readFileSync(path.join(s.stateDir, 'openclaw.json'), 'utf8'));
  config.plugins ??= {};
  config.plugins.entries ??= {};
  config.plugins.entries['openclaw-backup'] = {
    config: { repository: { url: s.ours, passwordFile: s.pw }, schedule: '*/5 * * * *', retention: { keepLast: 12, keepDaily: 7 } },
  };
  fs.writeFileSync(path.join(s.stateDir, 'openclaw.json'), JSON.stringify(config, null, 2), { mode: 0o600 });
  // The first backup of a state reads everything: the schedule starts from an existing series, as it would.
  await measure([process.execPath, CLI, 'run', '--json'], { env: s.env });
  await measure(['restic', 'backup', '--json', s.stateDir], { env: s.plainEnv });
  const rows = [];
  for (let i = 1; i <= runs; i += 1) {
    applyNightlyChange(s.stateDir, 100 + i, { notes: 5, rows: 100, lines: 0 });
    const ours = await measure([process.execPath, CLI, 'run', '--json'], { env: s.env });
    const plainBackup = await measure(['restic', 'backup', '--json', s.stateDir], { env: s.plainEnv });
    const plainForget = await measure(['restic', 'forget', '--keep-last', '12', '--keep-daily', '7'], { env: s.plainEnv });
    rows.push({
      run: i,
      load: os.loadavg()[0],
      ms: Math.round(ours.ms),
      cpuMs: ours.cpuMs,
      rssKB: ours.rssKB,
      plainCpuMs: plainBackup.cpuMs + plainForget.cpuMs,
    });
    log(
      `schedule run ${i}: ours cpu ${(ours.cpuMs / 1000).toFixed(2)} s, restic backup+forget cpu ${((plainBackup.cpuMs + plainForget.cpuMs) / 1000).toFixed(2)} s`,
    );
  }
  const cpu = rows.reduce((sum, r) => sum + r.cpuMs, 0);
  const plainCpu = rows.reduce((sum, r) => sum + r.plainCpuMs, 0);
  const hour = runs * SCHEDULE_SECONDS * 1000;
  fs.rmSync(s.work, { recursive: true, force: true });
  return {
    date: new Date().toISOString(),
    runs: rows,
    meanCorePercent: (100 * cpu) / hour,
    plainMeanCorePercent: (100 * plainCpu) / hour,
    target: 1,
  };
}

const mb = (n) => `${(n / 1e6).toFixed(n < 10e6 ? 2 : 1)} MB`;
const kb = (n) => (n < 1e6 ? `${(n / 1e3).toFixed(0)} kB` : mb(n));
const sec = (ms) => `${(ms / 1000).toFixed(1)} s`;
const verdict = (ok) => (ok ? 'met' : 'missed');

/** The markdown section, with the targets and whether they were met. */
export function renderHistory(r, schedule) {
  const c = r.checks;
  const lines = [
    START,
    '## Repository: 7 nights, and a 5-minute schedule for an hour',
    '',
    `${r.date}, ${r.machine.cpus} × ${r.machine.cpuModel}, load at the start of each night in the table; medium state ${mb(r.stateBytes)} in ${r.files} files ` +
      `(${mb(r.databaseBytes)} of it SQLite). Each night 5 notes are edited. (b) \`create --repository\`: restic reads the state dir itself plus our meta dir ` +
      '(header, manifest lists, database snapshots); (c) plain `restic backup` of the same dir into a second repository. Bytes added = growth of each repository on disk; ' +
      'CPU = user + system of the whole process tree (ours includes the restic it runs); RSS = the largest process of the tree; disk = our cache dir (peak while running / kept after).',
    '',
    '| night | load | (b) ours wall (cpu) | (b) added | (b) RSS | (b) disk peak / kept | (c) restic wall (cpu) | (c) added | b/c wall | b/c added |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...r.nights.map(
      (n) =>
        `| ${n.night} | ${n.load.toFixed(1)} | ${sec(n.b.ms)} (${sec(n.b.cpuMs)}) | ${kb(n.b.added)} | ${(n.b.rssKB / 1024).toFixed(0)} MB | ${kb(n.b.diskPeak)} / ${kb(n.b.diskKept)} | ` +
        `${sec(n.c.ms)} (${sec(n.c.cpuMs)}) | ${kb(n.c.added)} | ${(n.b.ms / n.c.ms).toFixed(2)} | ${(n.b.added / Math.max(1, n.c.added)).toFixed(2)} |`,
    ),
    `| week | | | ${mb(r.totals.b)} | | | | ${mb(r.totals.c)} | | ${(r.totals.b / r.totals.c).toFixed(2)} |`,
    '',
    `Targets (nights 2–${r.nights.length}): wall ≤ 1.5 × (c): worst ${c.wallPerNight.worst.toFixed(2)} × ${verdict(c.wallPerNight.worst <= 1.5)}; ` +
      `bytes added ≤ 1.5 × (c): worst ${c.bytesAddedPerNight.worst.toFixed(2)} × ${verdict(c.bytesAddedPerNight.worst <= 1.5)}; ` +
      `peak RSS ≤ 150 MB: ${c.peakRssMB.worst.toFixed(0)} MB ${verdict(c.peakRssMB.worst <= 150)}; ` +
      `extra local disk ≤ the database snapshots + 5 % of the state (${mb(c.extraDisk.target)}): ${mb(c.extraDisk.worst)} ${verdict(c.extraDisk.worst <= c.extraDisk.target)}.`,
  ];
  if (schedule) {
    lines.push(
      '',
      `Schedule: ${schedule.runs.length} runs of \`run\` (backup, verify of what it read, retention, status record) one after another, standing for a 5-minute schedule over ` +
        `${(schedule.runs.length * SCHEDULE_SECONDS) / 60} minutes; 5 notes and 100 database rows changed before each. Each run is a fresh CLI process (the daemon runs ` +
        'the same cycle in its own long-lived process, without the start-up): an upper bound.',
      '',
      '| run | load | ours wall | ours cpu | ours RSS | plain restic backup + forget cpu |',
      '|---|---|---|---|---|---|',
      ...schedule.runs.map(
        (x) =>
          `| ${x.run} | ${x.load.toFixed(1)} | ${sec(x.ms)} | ${(x.cpuMs / 1000).toFixed(2)} s | ${(x.rssKB / 1024).toFixed(0)} MB | ${(x.plainCpuMs / 1000).toFixed(2)} s |`,
      ),
      '',
      `Mean CPU over the hour: ours ${schedule.meanCorePercent.toFixed(2)} % of one core (target ≤ 1 %: ${verdict(schedule.meanCorePercent <= 1)}); ` +
        `plain restic ${schedule.plainMeanCorePercent.toFixed(2)} %.`,
    );
  }
  lines.push(END);
  return lines.join('\n');
}

/** Replaces (or appends) the history section of bench/RESULTS.md and keeps the numbers in history-results.json. */
export function writeHistoryReport(benchDir, result) {
  fs.writeFileSync(path.join(benchDir, 'history-results.json'), `${JSON.stringify(result, null, 2)}\n`);
  const file = path.join(benchDir, 'RESULTS.md');
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const section = renderHistory(result.history ?? result, result.schedule);
  const start = current.indexOf(START);
  const end = current.indexOf(END);
  const next =
    start >= 0 && end > start
      ? `${current.slice(0, start)}${section}${current.slice(end + END.length)}`
      : `${current.trimEnd()}\n\n${section}\n`;
  fs.writeFileSync(file, next);
  return section;
}

/** Both parts, as `npm run bench` runs them. */
export async function runRepositoryBench({ dataDir, nights = 7, runs = 12, log = () => {} }) {
  const history = await runHistory({ dataDir, nights, log });
  const schedule = await runSchedule({ dataDir, runs, log });
  return { history, schedule };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name, fallback) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : fallback);
  const log = (m) => process.stderr.write(`[bench] ${m}\n`);
  const result = await runRepositoryBench({ dataDir: path.join(BENCH, '.data'), nights: arg('--nights', 7), runs: arg('--runs', 12), log });
  process.stdout.write(`${writeHistoryReport(BENCH, result)}\n`);
}
