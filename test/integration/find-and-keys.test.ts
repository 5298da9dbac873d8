import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateAgeKey, type AgeKey } from '../helpers/age.js';
import { makeTempDir, runCli, unpackFixture } from '../helpers/fixture.js';

let env: NodeJS.ProcessEnv;
let key: AgeKey;
const KEY_OPTIONS = /age-encrypted; pass --identity FILE \(or set \$OPENCLAW_BACKUP_IDENTITY\) or --passphrase-file FILE to read it\n$/;

// Two plain archives, then two encrypted ones (the newest): what a user has after turning encryption on.
beforeAll(async () => {
  const home = makeTempDir('ocb-find-');
  const state = unpackFixture(home);
  env = { HOME: home };
  fs.writeFileSync(path.join(state, 'workspace', 'memory', 'x.md'), 'a note\n');
  for (let i = 0; i < 2; i++) expect((await runCli(['create'], { env })).code).toBe(0);
  key = generateAgeKey(home);
  for (let i = 0; i < 2; i++) expect((await runCli(['create', '--encrypt-to', key.recipient], { env })).code).toBe(0);
}, 180_000);

describe('an encrypted archive without a key is a usage error naming the key options', () => {
  it.each([['verify'], ['ls'], ['info'], ['restore', '--dry-run'], ['diff', 'latest']])('%s latest: exit 2', async (...args) => {
    const [command, ...rest] = args;
    const r = await runCli([command as string, 'latest', ...rest], { env });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(KEY_OPTIONS);
  });

  it('with the key the same archive reads', async () => {
    expect((await runCli(['verify', 'latest', '--identity', key.identityFile], { env })).code).toBe(0);
  });

  it('find says how many encrypted archives it could not read, and searches the rest', async () => {
    const r = await runCli(['find', 'x.md'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('workspace/memory/x.md');
    expect(r.stderr).toMatch(
      /^note: 2 encrypted archives not searched, the newest openclaw-backup-default-.*\.tar\.gz\.age: pass --identity FILE or --passphrase-file FILE\n$/,
    );
    const json = JSON.parse((await runCli(['find', 'x.md', '--json'], { env })).stdout) as { encrypted: number; found: unknown[] };
    expect(json.encrypted).toBe(2);
    expect(json.found).toHaveLength(2);
    const all = JSON.parse((await runCli(['find', 'x.md', '--json', '--identity', key.identityFile], { env })).stdout) as {
      encrypted: number;
      found: unknown[];
    };
    expect(all).toMatchObject({ encrypted: 0, found: expect.any(Array) });
    expect(all.found).toHaveLength(4);
  });
});

describe('find reads a pattern as restic users expect', () => {
  it("'memory/*.md' finds workspace/memory/x.md (a pattern with / matches a tail of the path)", async () => {
    const r = await runCli(['find', 'memory/*.md', '--json'], { env });
    const doc = JSON.parse(r.stdout) as { found: Array<{ matches: Array<{ path: string }> }> };
    expect(doc.found[0]?.matches.map((m) => m.path)).toContain('workspace/memory/x.md');
    // Only at a "/": "emory/*.md" is no tail of workspace/memory/x.md.
    const partial = JSON.parse((await runCli(['find', 'emory/*.md', '--json'], { env })).stdout) as { found: unknown[] };
    expect(partial.found).toEqual([]);
  });

  it('a pattern that matches nothing says how patterns are read', async () => {
    const r = await runCli(['find', 'memroy/*.md'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^no archive in .* holds an entry matching memroy\/\*\.md\n$/);
    expect(r.stderr).toContain('hint: a pattern without "/" matches base names');
    expect(r.stderr).toContain('memory/*.md finds workspace/memory/x.md');
  });
});

describe('ls prints in tree order', () => {
  it('each directory, then everything below it, by name (not the archive’s breadth-first order)', async () => {
    const r = await runCli(['ls', 'latest', '--identity', key.identityFile, '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    const paths = (JSON.parse(r.stdout) as { entries: Array<{ path: string }> }).entries.map((e) => e.path);
    const byComponent = (a: string, b: string) => {
      const [x, y] = [a.split('/'), b.split('/')];
      for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return (x[i] as string) < (y[i] as string) ? -1 : 1;
      return x.length - y.length;
    };
    expect(paths).toEqual([...paths].sort(byComponent));
    const text = (await runCli(['ls', 'latest', 'workspace', '--identity', key.identityFile], { env })).stdout.trim().split('\n');
    const names = text.map((line) => line.slice(line.lastIndexOf('  ') + 2));
    expect(names.indexOf('workspace/memory/x.md')).toBe(
      names.indexOf('workspace/memory') + names.filter((n) => n.startsWith('workspace/memory/') && n < 'workspace/memory/x.md').length + 1,
    );
  });
});
