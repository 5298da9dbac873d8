import fs from 'node:fs';
import path from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';
import type { ScenarioCounts } from './summary.js';

interface Row {
  scenario: string;
  tests: number;
  failed: number;
  cases: number;
  kills: number;
  archives: number;
  rows: number;
  notes: string[];
}

function readCounts(file: string): ScenarioCounts[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as ScenarioCounts);
}

/** Prints the suite's summary table (cases, kills, archives, rows, failures) after every other reporter. */
export default class SummaryReporter implements Reporter {
  constructor(
    private readonly countsFile: string,
    private readonly seed: string,
  ) {}

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const rows = new Map<string, Row>();
    const rowFor = (scenario: string) => {
      let row = rows.get(scenario);
      if (!row) {
        row = { scenario, tests: 0, failed: 0, cases: 0, kills: 0, archives: 0, rows: 0, notes: [] };
        rows.set(scenario, row);
      }
      return row;
    };
    for (const mod of testModules) {
      const row = rowFor(path.basename(mod.moduleId).replace(/\.test\.ts$/, ''));
      for (const test of mod.children.allTests()) {
        row.tests += 1;
        if (test.result().state !== 'passed') row.failed += 1;
      }
    }
    for (const c of readCounts(this.countsFile)) {
      const row = rowFor(c.scenario);
      row.cases += c.cases ?? 0;
      row.kills += c.kills ?? 0;
      row.archives += c.archives ?? 0;
      row.rows += c.rows ?? 0;
      if (c.note) row.notes.push(c.note);
    }
    fs.rmSync(this.countsFile, { force: true });
    const all = [...rows.values()];
    const total = all.reduce(
      (t, r) => ({
        tests: t.tests + r.tests,
        failed: t.failed + r.failed,
        cases: t.cases + r.cases,
        kills: t.kills + r.kills,
        archives: t.archives + r.archives,
        rows: t.rows + r.rows,
      }),
      { tests: 0, failed: 0, cases: 0, kills: 0, archives: 0, rows: 0 },
    );
    const lines = [
      '',
      '## Reliability summary',
      '',
      `Seed ${this.seed} (replay: RELIABILITY_SEED=${this.seed} npm run test:reliability)`,
      '',
      '| scenario | tests | cases run | kills injected | archives checked | rows verified | failures |',
      '|---|---:|---:|---:|---:|---:|---:|',
      ...all.map((r) => `| ${r.scenario} | ${r.tests} | ${r.cases} | ${r.kills} | ${r.archives} | ${r.rows} | ${r.failed} |`),
      `| **total** | ${total.tests} | ${total.cases} | ${total.kills} | ${total.archives} | ${total.rows} | ${total.failed} |`,
      ...all.flatMap((r) => r.notes.map((n) => `- ${r.scenario}: ${n}`)),
      '',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}
