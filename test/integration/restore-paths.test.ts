import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAgeKey } from '../helpers/age.js';
import { makeTempDir, NATIVE_FIXTURE, unpackFixture } from '../helpers/fixture.js';
import { callCli } from '../helpers/cli-in-process.js';

let home: string;
let state: string;
let env: NodeJS.ProcessEnv;
let archive: string;

const read = (rel: string) => fs.readFileSync(path.join(state, rel), 'utf8');

beforeAll(async () => {
  home = makeTempDir('ocb-paths-');
  state = unpackFixture(home);
  env = { HOME: home };
  archive = path.join(home, 'a.tar.gz');
  expect((await callCli(['create', '--output', archive], { env })).code).toBe(0);
}, 120_000);
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe('restore a path or a glob (--only), with the same safety and rollback', () => {
  it('one file: only it comes back; the file it replaced is in the rollback copy; everything else is untouched', async () => {
    const original = read('workspace/MEMORY.md');
    fs.writeFileSync(path.join(state, 'workspace', 'MEMORY.md'), 'overwritten by mistake\n');
    fs.writeFileSync(path.join(state, 'workspace', 'USER.md'), 'edited too, and kept\n');
    const r = await callCli(['restore', archive, '--only', 'workspace/MEMORY.md', '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { components: string[]; files: number; rollback: string[] };
    expect(result).toMatchObject({ components: ['workspace/MEMORY.md'], files: 1 });
    expect(read('workspace/MEMORY.md')).toBe(original);
    expect(read('workspace/USER.md')).toBe('edited too, and kept\n');
    const rollback = result.rollback[0] as string;
    expect(fs.readFileSync(path.join(rollback, 'state', 'workspace', 'MEMORY.md'), 'utf8')).toBe('overwritten by mistake\n');
  });

  it('a glob: every matching file, and a dry run that lists them first', async () => {
    fs.rmSync(path.join(state, 'workspace', 'memory'), { recursive: true, force: true });
    const dry = await callCli(['restore', archive, '--only', 'workspace/memory/**', '--dry-run', '--json'], { env });
    expect(dry.code, dry.stderr).toBe(0);
    const planned = JSON.parse(dry.stdout) as { changes: { added: string[] } };
    expect(planned.changes.added).toEqual([path.join(state, 'workspace', 'memory', '2026-11-20.md')]);
    expect(fs.existsSync(path.join(state, 'workspace', 'memory'))).toBe(false);
    const r = await callCli(['restore', archive, '--only', 'workspace/memory/**'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readdirSync(path.join(state, 'workspace', 'memory'))).toEqual(['2026-11-20.md']);
  });

  it('a path and a component together; a directory path takes everything below it', async () => {
    fs.rmSync(path.join(state, 'workspace', 'memory'), { recursive: true, force: true });
    const r = await callCli(['restore', archive, '--only', 'config,workspace/memory', '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).components).toEqual(['config', 'workspace/memory']);
    expect(fs.existsSync(path.join(state, 'workspace', 'memory', '2026-11-20.md'))).toBe(true);
  });

  it('nothing matching, or a word that is neither a component nor a path, is exit 2 and changes nothing', async () => {
    const before = read('workspace/MEMORY.md');
    const none = await callCli(['restore', archive, '--only', 'workspace/no-such-file.md'], { env });
    expect(none.code).toBe(2);
    expect(none.stderr).toBe(
      `openclaw-backup: --only workspace/no-such-file.md: nothing in ${archive} matches (see openclaw-backup ls ${archive})\n`,
    );
    const typo = await callCli(['restore', archive, '--only', 'memroy'], { env });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(
      /--only: unknown component "memroy"; valid components: config, .* \(or a path such as workspace\/MEMORY\.md\)/,
    );
    expect(read('workspace/MEMORY.md')).toBe(before);
  });

  it("works on an encrypted archive, on OpenClaw's native archive and on a hand-made tar -czf", async () => {
    const key = generateAgeKey(home);
    const sealed = path.join(home, 'sealed.tar.gz.age');
    expect((await callCli(['create', '--encrypt-to', key.recipient, '--output', sealed], { env })).code).toBe(0);
    const handMade = path.join(home, 'by-hand.tar.gz');
    execFileSync('tar', ['-C', home, '-czf', handMade, '.openclaw/openclaw.json', '.openclaw/workspace']);
    for (const [file, extra] of [
      [sealed, ['--identity', key.identityFile]],
      [NATIVE_FIXTURE, []],
      [handMade, []],
    ] as const) {
      const target = path.join(home, `copy-${path.basename(file)}`);
      const r = await callCli(['restore', file, ...extra, '--target', target, '--only', 'workspace/MEMORY.md'], { env });
      expect(r.code, `${file}: ${r.stderr}`).toBe(0);
      expect(fs.readdirSync(path.join(target, 'workspace'))).toEqual(['MEMORY.md']);
      fs.rmSync(target, { recursive: true, force: true });
    }
  });
});
