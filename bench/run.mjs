// `npm run bench`: our create/verify/restore against GNU tar on the same generated state, alternating pairs (ours,
// reference, reference, ours, …) so a neighbour's burst or a warming cache favours neither side; every sample keeps
// wall time, CPU (user + system of the process tree) and peak RSS, and our creates their per-phase debug timings.
// Options: --sizes small,medium,large,many (default: all four), --runs N (default 3), --daemon-seconds N (default 60,
// 0 skips), --only create-gzip,verify,age-memory,… (pairs and bench/streams.mjs checks), --report-only (re-render
// RESULTS.md from results.json), --no-history (skip the 7-night restic table, bench/history.mjs).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureState } from './generate.mjs';
import { machineInfo, measure, median, sampleIdle } from './measure.mjs';
import { writeReports } from './report.mjs';
import { runRepositoryBench, writeHistoryReport } from './history.mjs';
import { runStreamChecks, STREAM_CHECKS } from './streams.mjs';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.dirname(BENCH);
const DATA = path.join(BENCH, '.data');
const CLI = path.join(REPO, 'dist', 'cli', 'main.js');
// The V8 flags the bin's shebang and the service units pass (src/core/node-flags.ts): measure what users run.
const { NODE_FLAGS } = await import(path.join(REPO, 'dist', 'core', 'node-flags.js'));

function parseArgs(argv) {
  const opts = { sizes: ['small', 'medium', 'large', 'many'], runs: 3, daemonSeconds: 60 };
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i];
    if (a === '--large') opts.sizes = [...new Set([...opts.sizes, 'large'])];
    else if (a === '--sizes') opts.sizes = argv[++i].split(',');
    else if (a === '--runs') opts.runs = Number(argv[++i]);
    else if (a === '--daemon-seconds') opts.daemonSeconds = Number(argv[++i]);
    else if (a === '--only') opts.only = argv[++i].split(',');
    else if (a === '--report-only') opts.reportOnly = true;
    else if (a === '--no-history') opts.noHistory = true;
    else throw new Error(`unknown option ${a}`);
  }
  return opts;
}

const log = (message) => process.stderr.write(`[bench] ${message}\n`);

function commandsOf() {
  const help = execFileSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
  return new Set([...help.matchAll(/^\s{2}([a-z][a-z-]*)\b/gm)].map((m) => m[1]));
}

/** The line `create --log-level debug` writes at the end: per-phase and per-activity times (src/core/archive/timings.ts). */
function timingsOf(stderr) {
  for (const line of stderr.split('\n').reverse()) {
    if (!line.includes('where the time went')) continue;
    try {
      const { phases, activities } = JSON.parse(line);
      return { phases, activities };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * The pairs for one state. Each side is { argv, before?, after?, parse? }; `before`/`after` are not timed. A pair may
 * have a `floor`: a third command timed in the same rounds, shown beside the reference (tar | cat for create none).
 */
function pairsFor(state, out, commands) {
  const env = { ...process.env, HOME: state.home, OPENCLAW_STATE_DIR: state.stateDir };
  const ours = (...args) => [process.execPath, ...NODE_FLAGS, CLI, ...args];
  const sh = (script) => ['sh', '-c', script];
  const tarIn = `tar -C ${JSON.stringify(state.home)} -cf - .openclaw`;
  const clear =
    (...files) =>
    () =>
      files.forEach((f) => fs.rmSync(f, { recursive: true, force: true }));
  const sizeOf = (file) => () => fs.statSync(file).size;
  const kept = path.join(out, 'kept.tar.gz');
  const extractDir = path.join(out, 'extract');
  const restoreHome = path.join(out, 'restore-home');
  const restored = path.join(out, 'restored');
  const create = (kind, file) => ({
    argv: ours('create', '--compress', kind, '--output', file, '--json', '--log-level', 'debug'),
    env,
    before: clear(file),
    after: clear(file),
    parse: (stdout, stderr) => {
      const r = JSON.parse(stdout);
      return { pauseMs: r.pauseMs, durationMs: r.durationMs, bytes: r.bytes, timings: timingsOf(stderr) };
    },
  });
  const tarX = {
    label: 'tar -xzf (same archive)',
    argv: ['tar', '-C', extractDir, '-xzf', kept],
    before: () => fs.mkdirSync(extractDir, { recursive: true }),
    after: clear(extractDir),
  };
  const pairs = [
    {
      id: 'create-gzip',
      target: 0.5,
      ours: create('gzip', path.join(out, 'ours.tar.gz')),
      ref: {
        label: 'tar -czf',
        argv: ['tar', '-C', state.home, '-czf', path.join(out, 'ref.tgz'), '.openclaw'],
        before: clear(path.join(out, 'ref.tgz')),
        bytes: sizeOf(path.join(out, 'ref.tgz')),
      },
    },
    {
      id: 'create-zstd',
      target: 1.2,
      ours: create('zstd', path.join(out, 'ours.tar.zst')),
      ref: {
        label: 'tar -cf - | zstd -3 -T0',
        argv: sh(`${tarIn} | zstd -3 -T0 -q -f -o ${JSON.stringify(path.join(out, 'ref.tar.zst'))}`),
        bytes: sizeOf(path.join(out, 'ref.tar.zst')),
      },
    },
    {
      id: 'create-none',
      target: 1.2,
      ours: create('none', path.join(out, 'ours.tar')),
      // The same reading and hashing: we hash every file and the archive.
      ref: { label: 'tar -cf - | sha256sum', argv: sh(`${tarIn} | sha256sum > /dev/null`) },
      floor: {
        label: 'tar -cf - | cat',
        argv: sh(`${tarIn} | cat > ${JSON.stringify(path.join(out, 'ref.tar'))}`),
        after: clear(path.join(out, 'ref.tar')),
      },
    },
    {
      id: 'verify',
      target: 0.8,
      setup: () => {
        fs.rmSync(kept, { force: true });
        execFileSync(process.execPath, [...NODE_FLAGS, CLI, 'create', '--compress', 'gzip', '--output', kept, '--json'], {
          env,
          stdio: 'ignore',
        });
      },
      ours: { argv: ours('verify', kept, '--json'), env },
      ref: tarX,
    },
  ];
  if (commands.has('restore')) {
    pairs.push({
      id: 'restore',
      target: 1.0,
      // Into a fresh directory, as tar -xzf is: a --target copy, from a home whose state dir does not exist.
      ours: {
        argv: ours('restore', kept, '--target', restored, '--json'),
        env: { ...env, HOME: restoreHome, OPENCLAW_STATE_DIR: path.join(restoreHome, '.openclaw') },
        before: () => fs.mkdirSync(restoreHome, { recursive: true }),
        after: clear(restoreHome, restored),
      },
      ref: tarX,
    });
  }
  return pairs;
}

async function runSide(side) {
  side.before?.();
  try {
    const m = await measure(side.argv, { env: side.env });
    const bytes = side.bytes?.();
    return {
      ms: m.ms,
      rssKB: m.rssKB,
      cpuMs: m.cpuMs,
      ...(bytes === undefined ? {} : { bytes }),
      ...(side.parse ? side.parse(m.stdout, m.stderr) : {}),
    };
  } finally {
    side.after?.();
  }
}

const range = (values) => ({ min: Math.min(...values), max: Math.max(...values) });

async function benchPair(pair, runs) {
  pair.setup?.();
  const ours = [];
  const ref = [];
  const floor = [];
  for (let i = 0; i < runs; i += 1) {
    // Alternate which side goes first so a warming cache or a neighbour's burst does not favour one side.
    const refSide = async () => {
      ref.push(await runSide(pair.ref));
      if (pair.floor) floor.push(await runSide(pair.floor));
    };
    if (i % 2 === 0) {
      ours.push(await runSide(pair.ours));
      await refSide();
    } else {
      await refSide();
      ours.push(await runSide(pair.ours));
    }
    log(
      `  ${pair.id} run ${i + 1}/${runs}: ours ${(ours.at(-1).ms / 1000).toFixed(2)} s (cpu ${(ours.at(-1).cpuMs / 1000).toFixed(2)} s, ${Math.round(ours.at(-1).rssKB / 1024)} MB), ${pair.ref.label} ${(ref.at(-1).ms / 1000).toFixed(2)} s (cpu ${(ref.at(-1).cpuMs / 1000).toFixed(2)} s)`,
    );
  }
  const oursMs = median(ours.map((r) => r.ms));
  const refMs = median(ref.map((r) => r.ms));
  const ratios = ours.map((r, i) => r.ms / ref[i].ms);
  const result = {
    id: pair.id,
    reference: pair.ref.label,
    target: pair.target,
    runs,
    oursMs,
    refMs,
    oursRange: range(ours.map((r) => r.ms)),
    refRange: range(ref.map((r) => r.ms)),
    ratio: oursMs / refMs,
    ratioRange: range(ratios),
    met: oursMs / refMs <= pair.target,
    // CPU time (user + system) is the load-independent companion: on a busy machine wall time mostly measures neighbours.
    oursCpuMs: median(ours.map((r) => r.cpuMs ?? NaN)),
    refCpuMs: median(ref.map((r) => r.cpuMs ?? NaN)),
    oursPeakRssKB: Math.max(...ours.map((r) => r.rssKB ?? 0)),
    refPeakRssKB: Math.max(...ref.map((r) => r.rssKB ?? 0)),
    samples: { ours, ref, ...(floor.length ? { floor } : {}) },
  };
  if (floor.length)
    result.floor = {
      label: pair.floor.label,
      ms: median(floor.map((r) => r.ms)),
      range: range(floor.map((r) => r.ms)),
      cpuMs: median(floor.map((r) => r.cpuMs ?? NaN)),
    };
  if (ours[0]?.pauseMs !== undefined) {
    result.pauseMs = median(ours.map((r) => r.pauseMs));
    result.pauseMaxMs = Math.max(...ours.map((r) => r.pauseMs));
    result.archiveBytes = ours[0].bytes;
    if (ref[0]?.bytes !== undefined) result.refBytes = ref[0].bytes;
  }
  return result;
}

async function benchDaemon(commands, seconds) {
  if (!commands.has('daemon')) return { skipped: 'no daemon command on this build' };
  if (seconds <= 0) return { skipped: '--daemon-seconds 0' };
  const small = ensureState(DATA, 'small', log);
  const home = path.join(DATA, 'daemon', 'home');
  fs.rmSync(path.dirname(home), { recursive: true, force: true });
  fs.mkdirSync(home, { recursive: true });
  execFileSync('cp', ['-a', small.stateDir, path.join(home, '.openclaw')]);
  log(`daemon: idle for ${seconds} s on a copy of the small state…`);
  try {
    const r = await sampleIdle([process.execPath, ...NODE_FLAGS, CLI, 'daemon'], {
      env: { ...process.env, HOME: home, OPENCLAW_STATE_DIR: path.join(home, '.openclaw') },
      seconds,
      settleMs: 10_000,
    });
    return { ...r, rssTargetKB: 80 * 1024, met: r.rssKB <= 80 * 1024 && r.cpuPercent < 0.5 };
  } catch (error) {
    return { skipped: `daemon did not stay up: ${error.message.slice(0, 300)}` };
  } finally {
    fs.rmSync(path.dirname(home), { recursive: true, force: true });
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.reportOnly) {
    // Re-renders RESULTS.md (e.g. after editing ANALYSIS.md) from the last results.json, without measuring.
    process.stdout.write(`${writeReports(BENCH, JSON.parse(fs.readFileSync(path.join(BENCH, 'results.json'), 'utf8')))}\n`);
    const history = path.join(BENCH, 'history-results.json');
    if (fs.existsSync(history)) writeHistoryReport(BENCH, JSON.parse(fs.readFileSync(history, 'utf8')));
    return;
  }
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const commands = commandsOf();
  const started = Date.now();
  const results = { date: new Date().toISOString(), machine: machineInfo(), runs: opts.runs, sizes: {}, daemon: undefined };
  for (const size of opts.sizes) {
    const state = ensureState(DATA, size, log);
    const out = path.join(DATA, 'out');
    fs.rmSync(out, { recursive: true, force: true });
    fs.mkdirSync(out, { recursive: true });
    const loadavgBefore = machineInfo().loadavg;
    const sizeStarted = Date.now();
    log(`${size}: ${state.files} files, ${(state.bytes / 1e6).toFixed(0)} MB (load ${loadavgBefore.join(' ')})`);
    const pairs = pairsFor(state, out, commands).filter((p) => !opts.only || opts.only.includes(p.id));
    const measured = [];
    for (const pair of pairs) measured.push(await benchPair(pair, opts.runs));
    results.sizes[size] = {
      files: state.files,
      bytes: state.bytes,
      pairs: measured,
      loadavgBefore,
      loadavgAfter: machineInfo().loadavg,
      seconds: Math.round((Date.now() - sizeStarted) / 1000),
    };
    // Written as each size finishes, so a long run that is stopped keeps what it measured.
    writeReports(BENCH, { ...results, wallSeconds: Math.round((Date.now() - started) / 1000) });
    fs.rmSync(out, { recursive: true, force: true });
  }
  results.daemon = opts.only ? { skipped: '--only' } : await benchDaemon(commands, opts.daemonSeconds);
  // Single stages held to a memory or time bound (bench/streams.mjs; once unit tests, now measured here).
  if (!opts.only || opts.only.some((id) => id in STREAM_CHECKS)) results.streams = await runStreamChecks({ only: opts.only, log });
  results.wallSeconds = Math.round((Date.now() - started) / 1000);
  const summary = writeReports(BENCH, results);
  process.stdout.write(`\n${summary}\n`);
  // The restic history table (bench/history.mjs): its own section of RESULTS.md.
  if (!opts.noHistory && !opts.only)
    process.stdout.write(`\n${writeHistoryReport(BENCH, await runRepositoryBench({ dataDir: DATA, log }))}\n`);
}

main().catch((error) => {
  process.stderr.write(`[bench] failed: ${error.stack ?? error}\n`);
  process.exit(1);
});
