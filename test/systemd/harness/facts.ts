import fs from 'node:fs';
import { inject } from 'vitest';

/** One line of the end-of-run summary: what a scenario measured. */
export function recordFact(scenario: string, text: string): void {
  fs.appendFileSync(inject('systemdSuite').factsFile, `${JSON.stringify({ scenario, text })}\n`);
}

export function readFacts(file: string): { scenario: string; text: string }[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { scenario: string; text: string });
}
