import path from 'node:path';
import type { FileFlag } from '../archive/manifest.js';
import { describeFlag, isSideFileFlag } from '../reader/describe-flag.js';
import { rootOf } from './roots.js';
import type { RestorePlan } from './plan.js';

/** One warning per flagged entry the restore brings back, naming where it lands and what it is. */
export function flaggedWarnings(flagged: Array<{ path: string } & FileFlag>, plan: RestorePlan): string[] {
  const byName = new Map(flagged.map((flag) => [flag.path, flag]));
  const out: string[] = [];
  for (const entry of plan.selected) {
    const flag = byName.get(entry.name);
    const found = flag && rootOf(plan.roots, entry.rel);
    if (!flag || !found) continue;
    const dest = found.inner ? path.join(found.root.destination, found.inner) : found.root.destination;
    const hint =
      flag.kind === 'corrupt-database' && !isSideFileFlag(flag)
        ? `; it may not open: try sqlite3 ${dest} .recover | sqlite3 recovered.sqlite, or restore it from an older archive`
        : '';
    out.push(`restored ${dest}: ${describeFlag(flag)}${hint}`);
  }
  return out;
}
