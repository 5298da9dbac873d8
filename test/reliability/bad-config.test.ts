import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBackupBlock } from '../../src/config/load.js';
import { makeTempDir } from '../helpers/fixture.js';
import { BAD_BLOCKS, BAD_FILES } from './helpers/bad-configs.js';
import { crashSigns, describeRun, runCli, type RunResult } from './helpers/cli.js';
import { createTally } from './helpers/summary.js';

/**
 * Scenario 5: a corpus of invalid `backup` blocks, in both config locations, and broken config files. Each one:
 * exit 2, exactly one error line naming the key (or the file), nothing written.
 */
const tally = createTally('bad-config');
const PLUGIN_PREFIX = 'plugins.entries["openclaw-backup"].config';

let home: string;
let stateDir: string;

/** Runs `create` (not a dry run: a config that wrongly passes must not get far) against one config text. */
async function runWithConfig(name: string, text: string): Promise<{ result: RunResult; errors: string[]; backupsDir: string }> {
  const dir = path.join(home, name);
  fs.mkdirSync(dir, { recursive: true });
  const config = path.join(dir, 'openclaw.json');
  fs.writeFileSync(config, text);
  const args = ['--state-dir', stateDir, '--config', config, 'create'];
  const result = await runCli(args, { env: { HOME: home }, timeoutMs: 60_000 });
  expect(crashSigns(result), describeRun(args, result)).toEqual([]);
  tally.counts.cases += 1;
  return {
    result,
    errors: result.stderr.split('\n').filter((l) => l.startsWith('openclaw-backup:')),
    backupsDir: path.join(stateDir, 'backups'),
  };
}

describe('bad config corpus', () => {
  beforeAll(() => {
    home = makeTempDir('ocb-rel-config-');
    stateDir = path.join(home, '.openclaw');
    fs.mkdirSync(path.join(stateDir, 'workspace'), { recursive: true });
    fs.writeFileSync(path.join(stateDir, 'workspace', 'note.md'), 'hello\n');
  });

  afterAll(() => {
    tally.record();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it(`has at least 30 bad blocks`, () => {
    expect(BAD_BLOCKS.length).toBeGreaterThanOrEqual(30);
  });

  // Every fault is found when the config loads (so doctor, status and a daemon reload see it), not at backup time.
  it.each(BAD_BLOCKS)('schema: $what is refused when the config loads, naming backup.$key', ({ block, key }) => {
    expect(() => parseBackupBlock(block)).toThrow(`backup.${key}:`);
  });

  for (const location of ['top-level', 'plugin'] as const) {
    const prefix = location === 'top-level' ? 'backup' : PLUGIN_PREFIX;
    it.each(BAD_BLOCKS.map((c, i) => ({ ...c, i })))(`${location}: $what → exit 2 naming ${prefix}.$key`, async ({ block, key, i }) => {
      const doc = location === 'top-level' ? { backup: block } : { plugins: { entries: { 'openclaw-backup': { config: block } } } };
      const { result, errors, backupsDir } = await runWithConfig(`${location}-${i}`, JSON.stringify(doc, null, 2));
      expect(result.code, describeRun(['create'], result)).toBe(2);
      expect(errors, result.stderr).toHaveLength(1);
      expect(errors[0]).toContain(`${prefix}.${key}:`);
      expect(fs.existsSync(backupsDir), 'a bad config must write nothing').toBe(false);
    });
  }

  it.each(BAD_FILES.map((c, i) => ({ ...c, i })))('file: $what → exit 2 naming it', async ({ text, mentions, i }) => {
    const { result, errors, backupsDir } = await runWithConfig(`file-${i}`, text);
    expect(result.code, describeRun(['create'], result)).toBe(2);
    expect(errors, result.stderr).toHaveLength(1);
    for (const m of mentions) expect(errors[0]).toContain(m);
    expect(fs.existsSync(backupsDir), 'a bad config must write nothing').toBe(false);
  });
});
