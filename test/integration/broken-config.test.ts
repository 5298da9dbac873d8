import fs from 'node:fs';
import path from 'node:path';
import JSON5 from 'json5';
import { describe, expect, it } from 'vitest';
import type { Doc } from '../helpers/craft.js';
import { makeTempDir, runCli, unpackFixture } from '../helpers/fixture.js';

const BLOCK = 'plugins.entries["openclaw-backup"].config';

/** The fixture's state, with our block set to `block` in its openclaw.json. */
function stateWith(block: Record<string, unknown>): { home: string; state: string; configPath: string; env: NodeJS.ProcessEnv } {
  const home = makeTempDir('ocb-broken-');
  const state = unpackFixture(home);
  const configPath = path.join(state, 'openclaw.json');
  setBlock(configPath, block);
  return { home, state, configPath, env: { HOME: home } };
}

function setBlock(configPath: string, block: Record<string, unknown>): void {
  const config = JSON5.parse(fs.readFileSync(configPath, 'utf8')) as Doc;
  config.plugins ??= {};
  config.plugins.entries ??= {};
  config.plugins.entries['openclaw-backup'] = { config: block };
  fs.writeFileSync(configPath, JSON.stringify(config, null, 2));
}

describe('config import validates our block with the schema every command uses', () => {
  it('an unknown key in the imported block: exit 2 naming it, nothing written (nor with --dry-run)', async () => {
    const { state, configPath, env } = stateWith({ retention: 3 });
    const exported = await runCli(['config', 'export'], { env });
    expect(exported.code, exported.stderr).toBe(0);
    const doc = JSON.parse(exported.stdout) as { config: Doc };
    doc.config.plugins.entries['openclaw-backup'].config.retentoin = 5;
    const before = fs.readFileSync(configPath);
    const entriesBefore = fs.readdirSync(state).sort();
    for (const args of [
      ['config', 'import', '-'],
      ['config', 'import', '--dry-run', '-'],
    ]) {
      const r = await runCli(args, { env, input: JSON.stringify(doc) });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`${BLOCK}`);
      expect(r.stderr).toContain('retentoin');
      expect(r.stderr).toContain('nothing was written');
    }
    expect(fs.readFileSync(configPath)).toEqual(before);
    expect(fs.readdirSync(state).sort()).toEqual(entriesBefore);
    // The config every command loads still works.
    expect((await runCli(['status'], { env })).code).toBe(0);
  });

  it('a value the schema rejects (retention -1) is refused the same way', async () => {
    const { configPath, env } = stateWith({});
    const doc = JSON.parse((await runCli(['config', 'export'], { env })).stdout) as { config: Doc };
    doc.config.plugins.entries['openclaw-backup'].config.retention = -1;
    const before = fs.readFileSync(configPath);
    const r = await runCli(['config', 'import', '-'], { env, input: JSON.stringify(doc) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${BLOCK}.retention`);
    expect(fs.readFileSync(configPath)).toEqual(before);
  });
});

describe('restore … --only config from latest, when the backup block is broken', () => {
  it('finds latest in the default backups dir, says why, and brings the good config back', async () => {
    const { configPath, env } = stateWith({ retention: 3 });
    expect((await runCli(['create'], { env })).code).toBe(0);
    const good = fs.readFileSync(configPath, 'utf8');
    setBlock(configPath, { retention: 3, bogus: true });
    expect((await runCli(['list'], { env })).code).toBe(2);
    const r = await runCli(['restore', 'latest', '--only', 'config', '--yes'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /warning: the config does not load \(.*bogus.*\); looking for backups in .*\/backups, the default backups dir/,
    );
    expect(fs.readFileSync(configPath, 'utf8')).toBe(good);
    expect((await runCli(['list'], { env })).code).toBe(0);
  });

  it('looks where the broken block still says backups are (backup.path)', async () => {
    const { home, configPath, env } = stateWith({});
    const elsewhere = path.join(home, 'elsewhere');
    setBlock(configPath, { path: elsewhere });
    expect((await runCli(['create'], { env })).code).toBe(0);
    const good = fs.readFileSync(configPath, 'utf8');
    setBlock(configPath, { path: elsewhere, schedule: 'not a schedule' });
    const r = await runCli(['restore', 'latest', '--only', 'config', '--yes'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`looking for backups in ${elsewhere}, the ${BLOCK}.path the broken block names`);
    expect(fs.readFileSync(configPath, 'utf8')).toBe(good);
  });
});
