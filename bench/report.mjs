// bench/results.json (everything, every sample) and bench/RESULTS.md (the table; bench/ANALYSIS.md appended).
import fs from 'node:fs';
import path from 'node:path';

const RSS_TARGET_KB = 150 * 1024;
const PAUSE_TARGET_MS = 1000;

const sec = (ms) => `${(ms / 1000).toFixed(2)} s`;
const mb = (kb) => `${Math.round(kb / 1024)} MB`;
const cell = (text) => String(text).replaceAll('|', '\\|');

function verdict(met, ratio, target) {
  if (met) return 'met';
  return `**missed by ${Math.round((ratio / target - 1) * 100)}%**`;
}

function sizeRows(name, size) {
  const rows = [];
  for (const p of size.pairs) {
    const cpu = Number.isFinite(p.oursCpuMs) ? ` (CPU ${sec(p.oursCpuMs)})` : '';
    const refCpu = Number.isFinite(p.refCpuMs) ? ` (CPU ${sec(p.refCpuMs)})` : '';
    rows.push(
      `| ${name} | ${p.id} | ${sec(p.oursMs)}${cpu} | ${cell(p.reference)} ${sec(p.refMs)}${refCpu} | **${p.ratio.toFixed(2)}×** | ≤ ${p.target}× | ${verdict(p.met, p.ratio, p.target)} |`,
    );
  }
  const peak = Math.max(...size.pairs.map((p) => p.oursPeakRssKB));
  const each = size.pairs.map((p) => `${p.id} ${mb(p.oursPeakRssKB)}`).join(', ');
  rows.push(
    `| ${name} | peak RSS (highest of: ${each}) | ${mb(peak)} | tar ≤ ${mb(Math.max(...size.pairs.map((p) => p.refPeakRssKB)))} | | ≤ 150 MB | ${peak <= RSS_TARGET_KB ? 'met' : `**missed by ${Math.round((peak / RSS_TARGET_KB - 1) * 100)}%**`} |`,
  );
  if (size.loadavgBefore)
    rows.push(
      `| ${name} | load average (1, 5, 15 min) | before ${size.loadavgBefore.join(' ')}, after ${size.loadavgAfter.join(' ')} | | | | |`,
    );
  const gz = size.pairs.find((p) => p.id === 'create-gzip');
  if (gz?.pauseMs !== undefined) {
    const met = gz.pauseMs <= PAUSE_TARGET_MS && gz.pauseShare <= 0.1;
    rows.push(
      `| ${name} | pauseMs (gzip create) | ${gz.pauseMs} ms (${(gz.pauseShare * 100).toFixed(1)}% of wall) | | | ≤ 1 s and ≤ 10% | ${met ? 'met' : '**missed**'} |`,
    );
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
    `Medians of ${results.runs} alternating A/B runs per row; whole bench took ${results.wallSeconds} s. Raw samples: \`bench/results.json\`.`,
    '',
    '| size | measure | ours: wall (CPU user+sys) | reference: wall (CPU) | wall ratio | target | |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const [name, size] of Object.entries(results.sizes)) {
    const label = `${name} (${size.files} files, ${Math.round(size.bytes / 1e6)} MB)`;
    lines.push(...sizeRows(label, size));
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
  lines.push(
    '',
    'Archive sizes (gzip): ' +
      Object.entries(results.sizes)
        .map(([n, s]) => `${n} ${Math.round((s.pairs.find((p) => p.id === 'create-gzip')?.archiveBytes ?? 0) / 1e6)} MB`)
        .join(', ') +
      '.',
  );
  const analysis = path.join(dir, 'ANALYSIS.md');
  if (fs.existsSync(analysis)) lines.push('', fs.readFileSync(analysis, 'utf8').trim());
  fs.writeFileSync(path.join(dir, 'RESULTS.md'), `${lines.join('\n')}\n`);

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
