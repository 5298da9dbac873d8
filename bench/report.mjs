// bench/results.json (everything, every sample) and bench/RESULTS.md (the tables; bench/ANALYSIS.md appended; the
// restic history section, written by history.mjs between its markers, is kept).
import fs from 'node:fs';
import path from 'node:path';
import { median } from './measure.mjs';

const RSS_TARGET_KB = 120 * 1024;
const PAUSE_TARGET_MS = 1000;
const HISTORY_START = '<!-- history:start -->';
const HISTORY_END = '<!-- history:end -->';

const sec = (ms) => `${(ms / 1000).toFixed(2)} s`;
const secRange = (r) => `${(r.min / 1000).toFixed(2)}–${(r.max / 1000).toFixed(2)} s`;
const mb = (kb) => `${Math.round(kb / 1024)} MB`;
const cell = (text) => String(text).replaceAll('|', '\\|');

function verdict(met, ratio, target) {
  if (met) return 'met';
  return `**missed by ${Math.round((ratio / target - 1) * 100)}%**`;
}

function sizeRows(name, size) {
  const rows = [];
  for (const p of size.pairs) {
    const cpu = Number.isFinite(p.oursCpuMs) ? `, CPU ${sec(p.oursCpuMs)}` : '';
    const refCpu = Number.isFinite(p.refCpuMs) ? `, CPU ${sec(p.refCpuMs)}` : '';
    const ours = p.oursRange ? `${sec(p.oursMs)} (${secRange(p.oursRange)}${cpu})` : `${sec(p.oursMs)}${cpu}`;
    let ref = `${cell(p.reference)} ${p.refRange ? `${sec(p.refMs)} (${secRange(p.refRange)}${refCpu})` : sec(p.refMs)}`;
    if (p.floor) ref += `; floor ${cell(p.floor.label)} ${sec(p.floor.ms)} (${secRange(p.floor.range)}, CPU ${sec(p.floor.cpuMs)})`;
    const ratio = p.ratioRange
      ? `**${p.ratio.toFixed(2)}×** (${p.ratioRange.min.toFixed(2)}–${p.ratioRange.max.toFixed(2)})`
      : `**${p.ratio.toFixed(2)}×**`;
    rows.push(`| ${name} | ${p.id} | ${ours} | ${ref} | ${ratio} | ≤ ${p.target}× | ${verdict(p.met, p.ratio, p.target)} |`);
  }
  const peak = Math.max(...size.pairs.map((p) => p.oursPeakRssKB));
  const each = size.pairs.map((p) => `${p.id} ${mb(p.oursPeakRssKB)}`).join(', ');
  rows.push(
    `| ${name} | peak RSS (${each}) | ${mb(peak)} | tar ≤ ${mb(Math.max(...size.pairs.map((p) => p.refPeakRssKB)))} | | ≤ 120 MB | ${peak <= RSS_TARGET_KB ? 'met' : `**missed by ${Math.round((peak / RSS_TARGET_KB - 1) * 100)}%**`} |`,
  );
  const creates = size.pairs.filter((p) => p.pauseMs !== undefined);
  if (creates.length) {
    const worst = Math.max(...creates.map((p) => p.pauseMaxMs ?? p.pauseMs));
    rows.push(
      `| ${name} | quiesce hold (pauseMs, every create) | ${creates.map((p) => `${p.id.replace('create-', '')} ${p.pauseMs} ms`).join(', ')}; longest ${worst} ms | | | ≤ 1 s | ${worst <= PAUSE_TARGET_MS ? 'met' : '**missed**'} |`,
    );
  }
  if (size.loadavgBefore)
    rows.push(
      `| ${name} | load average (1, 5, 15 min) | before ${size.loadavgBefore.join(' ')}, after ${size.loadavgAfter.join(' ')} | | | | |`,
    );
  return rows;
}

const ACTIVITIES = [
  'walk',
  'read',
  'hash',
  'pack',
  'archiveHash',
  'waitOutput',
  'waitDatabase',
  'dbCopy',
  'dbCheck',
  'compress',
  'write',
  'fsync',
];
const PHASES = ['prepare', 'survey', 'snapshot', 'archive', 'finish'];

/** Medians over a create's samples of its debug timings: where the time went, per phase and per activity. */
function timingRows(name, size) {
  const rows = [];
  for (const p of size.pairs.filter((pair) => pair.id.startsWith('create-'))) {
    const samples = p.samples.ours.map((s) => s.timings).filter(Boolean);
    if (samples.length === 0) continue;
    const phase = (key, field) => median(samples.map((t) => t.phases?.[key]?.[field]).filter((v) => v !== undefined));
    const phases = PHASES.filter((k) => samples[0].phases?.[k])
      .map((k) => {
        const main = phase(k, 'mainCpuMs');
        return `${k} ${sec(phase(k, 'ms'))} (CPU ${sec(phase(k, 'cpuMs'))}${Number.isFinite(main) ? `, main ${sec(main)}` : ''})`;
      })
      .join('; ');
    const activities = ACTIVITIES.map((k) => [k, median(samples.map((t) => t.activities?.[k] ?? 0))])
      .filter(([, v]) => v >= 5)
      .map(([k, v]) => `${k} ${sec(v)}`)
      .join(', ');
    rows.push(`| ${name} | ${p.id.replace('create-', '')} | ${phases} | ${activities} |`);
  }
  return rows;
}

export function writeReports(dir, results) {
  fs.writeFileSync(path.join(dir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  const m = results.machine;
  const lines = [
    '# Benchmark results',
    '',
    `Run ${results.date} on \`${m.hostname}\`: ${m.cpus} × ${m.cpuModel}, ${m.memGB} GB RAM, ${m.os}, Node ${m.node}.`,
    `Load average at start ${m.loadavg.join(' ')} (a shared machine: other engineers' builds and tests ran beside it).`,
    `${results.runs} alternating pairs per row (ours, reference; reference, ours; …): the median, the range (min–max) of`,
    `each side and of the per-pair ratios; CPU is user + system of the process tree (median). The whole bench took`,
    `${results.wallSeconds} s. Raw samples: \`bench/results.json\`.`,
    '',
    '| size | measure | ours: wall median (range, CPU) | reference: wall median (range, CPU) | wall ratio (range) | target | |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const [name, size] of Object.entries(results.sizes)) {
    lines.push(...sizeRows(`${name} (${size.files} files, ${Math.round(size.bytes / 1e6)} MB)`, size));
  }
  const d = results.daemon;
  if (d?.skipped) lines.push(`| — | daemon idle | n/a: ${d.skipped} | | | ≤ 80 MB, no CPU | not measured |`);
  else if (d)
    lines.push(
      `| — | daemon idle ${Math.round(d.seconds)} s | ${mb(d.rssKB)} RSS, ${d.cpuPercent.toFixed(2)}% CPU (${Math.round(d.cpuMs)} ms) | | | ≤ 80 MB, no CPU | ${d.met ? 'met' : '**missed**'} |`,
    );
  for (const r of results.streams ?? [])
    lines.push(
      `| — | ${r.what} | ${r.value}, ${r.seconds.toFixed(1)} s | | | bound in bench/streams.mjs | ${r.met ? 'met' : '**missed**'} |`,
    );
  const sizes = Object.entries(results.sizes).map(([n, s]) => {
    const of = (id) => s.pairs.find((p) => p.id === id);
    const both = (id) =>
      of(id)?.archiveBytes ? `${Math.round(of(id).archiveBytes / 1e6)} MB (tar ${Math.round((of(id).refBytes ?? 0) / 1e6)} MB)` : 'n/a';
    return `${n}: gzip ${both('create-gzip')}, zstd ${both('create-zstd')}`;
  });
  lines.push('', `Archive sizes, ours (reference): ${sizes.join('; ')}.`);

  const timing = Object.entries(results.sizes).flatMap(([n, s]) => timingRows(n, s));
  if (timing.length) {
    lines.push(
      '',
      '### Where the time went (our creates, `--log-level debug`, medians)',
      '',
      'Phases follow one another: wall time, CPU of the whole process and of the main thread. Activities overlap (the',
      'compressor lanes, the database copy and the check worker run beside the main thread): the time spent in each,',
      "summed; `compress` and `write` are thread-pool time per block and per write, `dbCheck` the worker's CPU.",
      '',
      '| size | create | phases | activities |',
      '|---|---|---|---|',
      ...timing,
    );
  }
  const analysis = path.join(dir, 'ANALYSIS.md');
  if (fs.existsSync(analysis)) lines.push('', fs.readFileSync(analysis, 'utf8').trim());
  const file = path.join(dir, 'RESULTS.md');
  const previous = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const start = previous.indexOf(HISTORY_START);
  const end = previous.indexOf(HISTORY_END);
  if (start >= 0 && end > start) lines.push('', previous.slice(start, end + HISTORY_END.length));
  fs.writeFileSync(file, `${lines.join('\n')}\n`);

  const summary = ['ratios (ours / reference, lower is better):'];
  for (const [name, size] of Object.entries(results.sizes)) {
    for (const p of size.pairs)
      summary.push(
        `  ${name.padEnd(7)} ${p.id.padEnd(12)} ${p.ratio.toFixed(2)}× (target ≤ ${p.target}×) ${p.met ? 'ok' : 'MISSED'}   peak RSS ${mb(p.oursPeakRssKB)}${p.pauseMs !== undefined ? `   pause ${p.pauseMs} ms` : ''}`,
      );
  }
  if (d && !d.skipped) summary.push(`  daemon idle: ${mb(d.rssKB)} RSS, ${d.cpuPercent.toFixed(2)}% CPU`);
  for (const r of results.streams ?? []) summary.push(`  ${r.id}: ${r.value} ${r.met ? 'ok' : 'MISSED'}`);
  summary.push(`wrote ${path.join(dir, 'results.json')} and ${path.join(dir, 'RESULTS.md')}`);
  return summary.join('\n');
}
