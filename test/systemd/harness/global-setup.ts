import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { CLI } from '../../helpers/fixture.js';
import { readFacts } from './facts.js';
import { ensureNspawnRuntime, releaseNspawnRuntime } from './host-mounts.js';
import { ensureRoot } from './root.js';

function strayCgroups(): string[] {
  return ['/sys/fs/cgroup/systemd', '/sys/fs/cgroup/unified', '/sys/fs/cgroup']
    .filter((dir) => fs.existsSync(dir))
    .flatMap((dir) =>
      fs
        .readdirSync(dir)
        .filter((name) => name.startsWith('openclaw-backup-systemd-'))
        .map((name) => path.join(dir, name)),
    );
}

/**
 * Builds (or finds in the cache) the Debian root once for every scenario file. Any reason it cannot be had fails
 * the suite here, with that reason: nothing is skipped.
 */
export default function setup(project: TestProject): () => void {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" (npm run test:systemd does)`);
  const started = performance.now();
  const root = ensureRoot((line) => process.stdout.write(`${line}\n`));
  const runtime = ensureNspawnRuntime();
  const factsFile = path.join(os.tmpdir(), `openclaw-backup-systemd-${process.pid}.jsonl`);
  fs.rmSync(factsFile, { force: true });
  project.provide('systemdSuite', { root, factsFile });
  return () => {
    releaseNspawnRuntime(runtime);
    const facts = readFacts(factsFile);
    fs.rmSync(factsFile, { force: true });
    const lines = [
      `systemd suite (real systemd 252 in a ${path.basename(root)} container), ${((performance.now() - started) / 1000).toFixed(0)} s`,
    ];
    for (const fact of facts) lines.push(`  ${fact.scenario}: ${fact.text}`);
    const stray = strayCgroups();
    if (stray.length) lines.push(`  LEFT BEHIND (a container did not go away): ${stray.join(', ')}`);
    process.stdout.write(`\n${lines.join('\n')}\n\n`);
    if (stray.length) throw new Error(`containers left behind: ${stray.join(', ')}`);
  };
}
