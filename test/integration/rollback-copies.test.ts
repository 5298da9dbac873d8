import fs from 'node:fs';
import path from 'node:path';
import JSON5 from 'json5';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Doc } from '../helpers/craft.js';
import { makeTempDir, runCli, unpackFixture } from '../helpers/fixture.js';

let home: string;
let state: string;
let env: NodeJS.ProcessEnv;

const copies = () => fs.readdirSync(home).filter((name) => name.startsWith('.openclaw.rollback-'));

function setBlock(block: Record<string, unknown>): void {
  const file = path.join(state, 'openclaw.json');
  const config = JSON5.parse(fs.readFileSync(file, 'utf8')) as Doc;
  config.plugins = { ...(config.plugins ?? {}), entries: { ...(config.plugins?.entries ?? {}), 'openclaw-backup': { config: block } } };
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
}

// A full in-place restore and a one-file restore: two rollback copies beside the state dir, as a user piles them up.
beforeAll(async () => {
  home = makeTempDir('ocb-rollbacks-');
  state = unpackFixture(home);
  env = { HOME: home, TZ: 'UTC' };
  expect((await runCli(['create'], { env })).code).toBe(0);
  const full = await runCli(['restore', 'latest', '--yes'], { env });
  expect(full.code, full.stderr).toBe(0);
  expect(full.stdout).toContain('(it holds credentials: remove it once the restored state works, openclaw-backup rollbacks remove)');
  // Rollback copies are named by the second; a second restore in the same second gets a -2 suffix.
  const one = await runCli(['restore', 'latest', '--only', 'workspace/MEMORY.md', '--yes'], { env });
  expect(one.code, one.stderr).toBe(0);
  expect(copies()).toHaveLength(2);
}, 180_000);

describe('rollback copies are shown, and removed on request', () => {
  it('status shows their count, size and age, and says they hold credentials', async () => {
    const text = await runCli(['status'], { env });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(
      /^rollback: +2 copies \([\d.]+ [KM]iB\), oldest .* ago\); they hold the previous state, credentials included: openclaw-backup rollbacks remove --dry-run$/m,
    );
    const json = JSON.parse((await runCli(['status', '--json'], { env })).stdout) as {
      rollbackCopies: { count: number; bytes: number; paths: string[] };
    };
    expect(json.rollbackCopies.count).toBe(2);
    expect(json.rollbackCopies.bytes).toBeGreaterThan(100_000);
    expect(json.rollbackCopies.paths.map((p) => path.basename(p)).sort()).toEqual(copies().sort());
  });

  it('doctor warns about them, with the command that removes them', async () => {
    const doctor = JSON.parse((await runCli(['doctor', '--json'], { env })).stdout) as {
      findings: Array<{ id: string; level: string; message: string; fix?: string }>;
    };
    const finding = doctor.findings.find((f) => f.id === 'rollback-copies');
    expect(finding).toMatchObject({ level: 'warn' });
    expect(finding?.message).toMatch(/^2 rollback copies \(.*\) hold a previous state with its credentials and keys$/);
    expect(finding?.fix).toContain('openclaw-backup rollbacks remove --dry-run');
  });

  it('rollbacks lists them; remove --dry-run deletes nothing; remove --keep 1 keeps the newest', async () => {
    const list = await runCli(['rollbacks'], { env });
    expect(list.stdout).toContain('2 rollback copies');
    const before = copies().sort();
    const dry = await runCli(['rollbacks', 'remove', '--dry-run'], { env });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/0 kept, 2 would remove/);
    expect(copies().sort()).toEqual(before);
    const newest = (JSON.parse((await runCli(['rollbacks', '--json'], { env })).stdout) as Array<{ path: string }>)[0]!.path;
    const kept = await runCli(['rollbacks', 'remove', '--keep', '1', '--json'], { env });
    expect(kept.code, kept.stderr).toBe(0);
    expect(copies()).toEqual([path.basename(newest)]);
    expect((await runCli(['rollbacks', 'remove', '--keep', 'x'], { env })).code).toBe(2);
  });

  it('backup.keepRollbacks keeps only the newest N after each in-place restore', async () => {
    setBlock({ keepRollbacks: 1 });
    expect((await runCli(['create'], { env })).code).toBe(0);
    const r = await runCli(['restore', 'latest', '--only', 'config', '--yes'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/removed the older rollback copy .*\.openclaw\.rollback-.* \(backup\.keepRollbacks: 1\)/);
    expect(copies()).toHaveLength(1);
    setBlock({ keepRollbacks: -1 });
    expect((await runCli(['status'], { env })).stderr).toContain('keepRollbacks: expected a non-negative integer');
  });
});

describe('status: one time format, and auto shown', () => {
  it('shows every time as local time with its age, never an ISO stamp, and says whether auto is on', async () => {
    setBlock({});
    const text = (await runCli(['status'], { env })).stdout;
    expect(text).toMatch(/^auto: +false/m);
    expect(text).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/);
    expect(text).toMatch(/^newest: +openclaw-backup-default-.*, \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(.* ago\)$/m);
  });
});
