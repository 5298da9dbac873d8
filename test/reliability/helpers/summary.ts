import fs from 'node:fs';

/** What one scenario did; the reporter adds up every line at the end of the run. */
export interface ScenarioCounts {
  scenario: string;
  cases?: number;
  kills?: number;
  archives?: number;
  rows?: number;
  note?: string;
}

export const SUMMARY_ENV = 'RELIABILITY_SUMMARY_FILE';

/** Appends counts for the summary table (no-op when the suite runs without the reliability config). */
export function recordCounts(counts: ScenarioCounts): void {
  const file = process.env[SUMMARY_ENV];
  if (file) fs.appendFileSync(file, `${JSON.stringify(counts)}\n`);
}

/** A running tally a scenario fills in as it goes and records once in afterAll. */
export function createTally(scenario: string) {
  const counts: ScenarioCounts & { cases: number; kills: number; archives: number; rows: number } = {
    scenario,
    cases: 0,
    kills: 0,
    archives: 0,
    rows: 0,
  };
  return {
    counts,
    record: () => recordCounts(counts),
  };
}
