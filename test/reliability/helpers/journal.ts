import { createHash } from 'node:crypto';
import fs from 'node:fs';

export interface Commit {
  first: number;
  last: number;
  at: number;
}

/** The live writer's journal: one line per committed transaction (complete lines only). */
export function readJournal(file: string): Commit[] {
  const text = fs.readFileSync(file, 'utf8');
  const complete = text.slice(0, text.lastIndexOf('\n') + 1);
  return complete
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [first, last, at] = line.split(' ').map(Number) as [number, number, number];
      return { first, last, at };
    });
}

const digest = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 16);

/** Problems with a restored append-only log: every line complete, correct and in sequence from 0. */
export function checkAppendLog(text: string): string[] {
  const problems: string[] = [];
  if (text.length > 0 && !text.endsWith('\n')) problems.push('last line is cut off');
  text
    .split('\n')
    .filter(Boolean)
    .forEach((line, i) => {
      if (line !== `seq ${i} ${digest(`seq ${i}`)}`)
        problems.push(`line ${i} is torn or out of order: ${JSON.stringify(line.slice(0, 60))}`);
    });
  return problems.slice(0, 5);
}

/** Problems with a restored atomically rewritten file: it must be one complete version. */
export function checkRewrittenFile(text: string): string[] {
  try {
    const parsed = JSON.parse(text) as { seq: number; body: string; digest: string };
    return parsed.digest === digest(parsed.body) ? [] : [`version ${parsed.seq} has a body that does not match its digest`];
  } catch {
    return [`not one complete version: ${JSON.stringify(text.slice(0, 60))}`];
  }
}
