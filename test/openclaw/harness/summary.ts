import fs from 'node:fs';
import path from 'node:path';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    openclawE2e: { root: string; summaryFile: string; node: string; cli: string; cacheDir: string };
  }
}

/** One line of the end-of-run summary; a scenario that never records one did not pass. */
export interface ScenarioFact {
  scenario: number;
  title: string;
  details: string[];
  turnsDuringBackup?: number;
  slowestTurnMs?: { during: number; without: number };
  sessionsCompared?: number;
}

export function recordScenario(fact: ScenarioFact): void {
  fs.appendFileSync(inject('openclawE2e').summaryFile, `${JSON.stringify(fact)}\n`);
}

/** A directory for one scenario inside the run root (removed with it at the end). */
export function scenarioDir(name: string): string {
  const dir = path.join(inject('openclawE2e').root, name);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
