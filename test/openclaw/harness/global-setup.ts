import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { CLI } from '../../helpers/fixture.js';
import { ensureOpenClaw, NODE_VERSION, OPENCLAW_VERSION } from './install.js';
import type { ScenarioFact } from './summary.js';

const SCENARIOS: Record<number, string> = {
  1: 'backup of a live gateway',
  2: 'migration to a new home',
  3: '--profile work + external workspace',
  4: 'restore --only config, sessions import',
  5: 'config block accepted / rejected',
  6: "restore OpenClaw's own archive",
  7: 'symlinked ~/.openclaw, daemon backup',
  8: 'the OpenClaw plugin',
  9: 'one conversation back from a backup',
};

function tmpOpenClawEntries(): Set<string> {
  return new Set(fs.readdirSync('/tmp').filter((name) => name.startsWith('openclaw')));
}

function readFacts(file: string): ScenarioFact[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as ScenarioFact);
}

function printSummary(facts: ScenarioFact[], elapsedMs: number, strayTmp: string[]): void {
  const byScenario = new Map(facts.map((f) => [f.scenario, f]));
  const lines = [`OpenClaw ${OPENCLAW_VERSION} end to end (Node ${NODE_VERSION}), ${(elapsedMs / 1000).toFixed(0)} s`];
  for (const [n, title] of Object.entries(SCENARIOS)) {
    const fact = byScenario.get(Number(n));
    lines.push(`  ${n}. ${title.padEnd(40)} ${fact ? 'passed' : 'NOT PASSED'}`);
    for (const detail of fact?.details ?? []) lines.push(`       ${detail}`);
  }
  const live = byScenario.get(1);
  if (live?.slowestTurnMs) {
    lines.push(
      `  turns answered during backups: ${live.turnsDuringBackup}; slowest turn ${(live.slowestTurnMs.during / 1000).toFixed(1)} s during backups vs ${(live.slowestTurnMs.without / 1000).toFixed(1)} s without`,
    );
  }
  const compared = facts.reduce((n, f) => n + (f.sessionsCompared ?? 0), 0);
  lines.push(`  sessions compared after restore/import: ${compared}`);
  if (strayTmp.length) lines.push(`  new /tmp entries named openclaw* during the run (not ours to delete): ${strayTmp.join(', ')}`);
  process.stdout.write(`\n${lines.join('\n')}\n\n`);
}

/** Installs OpenClaw once for all scenario files, gives them a run root, and prints the summary at the end. */
export default function setup(project: TestProject): () => void {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" (npm run test:openclaw does)`);
  const started = performance.now();
  const install = ensureOpenClaw();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ocb-e2e-'));
  const summaryFile = path.join(root, 'summary.jsonl');
  const tmpBefore = tmpOpenClawEntries();
  project.provide('openclawE2e', { root, summaryFile, ...install });
  return () => {
    const stray = [...tmpOpenClawEntries()].filter((name) => !tmpBefore.has(name));
    printSummary(readFacts(summaryFile), performance.now() - started, stray);
    if (process.env.OPENCLAW_E2E_KEEP) process.stdout.write(`kept ${root}\n`);
    else fs.rmSync(root, { recursive: true, force: true });
  };
}
