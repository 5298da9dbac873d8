import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAgeKey, type AgeKey } from '../helpers/age.js';
import { makeTempDir, NATIVE_FIXTURE, unpackFixture } from '../helpers/fixture.js';
import { callCli } from '../helpers/cli-in-process.js';

interface Entry {
  path: string;
  type: string;
  size: number;
  mode: number;
  mtime: string | null;
  component: string | null;
  sha256?: string;
}

let home: string;
let env: NodeJS.ProcessEnv;
let older: string;
let newer: string;
let encrypted: string;
let handMade: string;
let key: AgeKey;

const json = <T>(text: string): T => JSON.parse(text) as T;

beforeAll(async () => {
  home = makeTempDir('ocb-browse-');
  const stateDir = unpackFixture(home);
  env = { HOME: home };
  expect((await callCli(['create'], { env })).code).toBe(0);
  fs.writeFileSync(path.join(stateDir, 'workspace', 'memory', 'deleted-later.md'), 'remember the milk\n');
  fs.writeFileSync(path.join(stateDir, 'workspace', 'MEMORY.md'), 'edited notes\n');
  expect((await callCli(['create'], { env })).code).toBe(0);
  fs.rmSync(path.join(stateDir, 'workspace', 'memory', 'deleted-later.md'));
  const listed = json<{ archive: string }[]>((await callCli(['list', '--json'], { env })).stdout);
  [newer, older] = listed.map((l) => l.archive) as [string, string];
  key = generateAgeKey(home);
  encrypted = path.join(home, 'enc.tar.gz.age');
  expect((await callCli(['create', '--encrypt-to', key.recipient, '--output', encrypted], { env })).code).toBe(0);
  handMade = path.join(home, 'by-hand.tar.gz');
  execFileSync('tar', ['-C', home, '-czf', handMade, '.openclaw/openclaw.json', '.openclaw/workspace']);
}, 120_000);

afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe('browse history without extracting', () => {
  it('ls lists names, sizes, modes and times from the manifest; below a path; --json parses strictly', async () => {
    const all = await callCli(['ls', 'latest', '--json'], { env });
    expect(all.code).toBe(0);
    const doc = json<{ archive: string; format: string; entries: Entry[] }>(all.stdout);
    expect(doc).toMatchObject({ archive: newer, format: 'openclaw-backup' });
    const memory = doc.entries.find((e) => e.path === 'workspace/MEMORY.md');
    expect(memory).toMatchObject({ type: 'file', size: 'edited notes\n'.length, component: 'memory', mode: expect.any(Number) });
    expect(memory?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(doc.entries.find((e) => e.path === 'state/openclaw.sqlite')).toMatchObject({ component: 'credentials' });

    const below = await callCli(['ls', 'latest', 'workspace/memory/'], { env });
    expect(below.code).toBe(0);
    const lines = below.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^drwx.{6}\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} {2}workspace\/memory$/);
    expect(
      lines.some((l) => /^-rw.{7}\s+18 B {2}\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} {2}workspace\/memory\/deleted-later\.md$/.test(l)),
    ).toBe(true);
    expect(lines.every((l) => l.includes('workspace/memory'))).toBe(true);

    const missing = await callCli(['ls', 'latest', 'workspace/nope'], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`openclaw-backup: nothing at workspace/nope in ${newer}\n`);
  });

  it('find names every archive that still holds a deleted note; a path glob with **', async () => {
    const found = await callCli(['find', 'deleted-later.md', '--json'], { env });
    expect(found.code).toBe(0);
    const doc = json<{ found: { archive: string; matches: Entry[] }[]; skipped: { archive: string; reason: string }[] }>(found.stdout);
    expect(doc.found.map((f) => f.archive)).toEqual([newer]);
    expect(doc.found[0]?.matches.map((m) => m.path)).toEqual(['workspace/memory/deleted-later.md']);
    const glob = await callCli(['find', 'workspace/**/*.md'], { env });
    expect(glob.code).toBe(0);
    expect(glob.stdout).toContain(path.basename(older));
    expect(glob.stdout).toContain('workspace/MEMORY.md');
    const none = await callCli(['find', 'no-such-*'], { env });
    expect(none.code).toBe(0);
    expect(none.stdout).toMatch(/^no archive in .* holds an entry matching no-such-\*\n$/);
  });

  it('diff shows added, removed and changed entries by component', async () => {
    const diff = await callCli(['diff', path.basename(older), 'latest', '--json'], { env });
    expect(diff.code).toBe(0);
    const doc = json<{
      added: Entry[];
      removed: Entry[];
      changed: { path: string; what: string[] }[];
      byComponent: Record<string, { added: number; changed: number }>;
    }>(diff.stdout);
    expect(doc.added.map((e) => e.path)).toEqual(['workspace/memory/deleted-later.md']);
    expect(doc.removed).toEqual([]);
    expect(doc.changed.find((c) => c.path === 'workspace/MEMORY.md')?.what).toEqual(['content']);
    expect(doc.byComponent.memory).toMatchObject({ added: 1 });
    const text = await callCli(['diff', path.basename(older), 'latest'], { env });
    expect(text.stdout).toMatch(/^\+ {2}workspace\/memory\/deleted-later\.md$/m);
    expect(text.stdout).toMatch(/^M {2}workspace\/MEMORY\.md {2}\(content\)$/m);
  });

  it('info reads the header and manifest: host, profile, version, components, sizes', async () => {
    const info = await callCli(['info', 'latest', '--json'], { env });
    expect(info.code).toBe(0);
    const doc = json<Record<string, unknown>>(info.stdout);
    expect(doc).toMatchObject({
      archive: newer,
      format: 'openclaw-backup',
      profile: 'default',
      openclawVersion: '2026.9.6',
      databases: 3,
      encrypted: false,
      compression: 'gzip',
    });
    expect(doc.files as number).toBeGreaterThan(20);
    expect(doc.storedBytes as number).toBe(fs.statSync(newer).size);
    expect(doc.ratio as number).toBeLessThan(1);
    const text = await callCli(['info', 'latest'], { env });
    expect(text.stdout).toMatch(/^components +config, credentials, sessions, memory, workspace, logs, state$/m);
  });

  it('works on an encrypted archive with the key, and without it is a usage error naming the key options (exit 2)', async () => {
    for (const args of [
      ['ls', encrypted],
      ['info', encrypted],
      ['diff', encrypted, encrypted],
    ]) {
      const refused = await callCli(args, { env });
      expect(refused.code, args.join(' ')).toBe(2);
      expect(refused.stderr).toMatch(/age-encrypted; pass --identity FILE .* or --passphrase-file FILE to read it\n$/);
    }
    const listed = await callCli(['ls', encrypted, 'workspace/MEMORY.md', '--identity', key.identityFile, '--json'], { env });
    expect(listed.code).toBe(0);
    expect(json<{ entries: Entry[] }>(listed.stdout).entries.map((e) => e.path)).toEqual(['workspace/MEMORY.md']);
    const info = json<{ encrypted: boolean }>(
      (await callCli(['info', encrypted, '--identity', key.identityFile, '--json'], { env })).stdout,
    );
    expect(info.encrypted).toBe(true);
  });

  it("works on OpenClaw's native archive and on a hand-made tar -czf", async () => {
    const native = await callCli(['ls', NATIVE_FIXTURE, '--json'], { env });
    expect(native.code).toBe(0);
    const nativeDoc = json<{ format: string; entries: Entry[] }>(native.stdout);
    expect(nativeDoc.format).toBe('openclaw-native');
    expect(nativeDoc.entries.find((e) => e.path === 'openclaw.json')).toMatchObject({ type: 'file', component: 'config' });
    const hand = await callCli(['ls', handMade, '--json'], { env });
    expect(hand.code).toBe(0);
    const handDoc = json<{ format: string; entries: Entry[] }>(hand.stdout);
    expect(handDoc.format).toBe('hand-made');
    expect(handDoc.entries.map((e) => e.path)).toContain('workspace/MEMORY.md');
    const diff = json<{ added: Entry[]; removed: Entry[] }>((await callCli(['diff', handMade, 'latest', '--json'], { env })).stdout);
    expect(diff.added.map((e) => e.path)).toContain('state/openclaw.sqlite');
    const info = json<{ format: string; files: number }>((await callCli(['info', NATIVE_FIXTURE, '--json'], { env })).stdout);
    expect(info).toMatchObject({ format: 'openclaw-native' });
    expect(info.files).toBeGreaterThan(20);
  });

  it('escapes control characters in names read from an archive', async () => {
    const dir = makeTempDir('ocb-browse-esc-');
    try {
      fs.mkdirSync(path.join(dir, '.openclaw'));
      fs.writeFileSync(path.join(dir, '.openclaw', 'openclaw.json'), '{}');
      fs.writeFileSync(path.join(dir, '.openclaw', 'evil\u001b[2Jname'), 'x');
      const archive = path.join(dir, 'esc.tar');
      execFileSync('tar', ['-C', dir, '-cf', archive, '.openclaw']);
      const listed = await callCli(['ls', archive], { env });
      expect(listed.code).toBe(0);
      expect(listed.stdout).not.toContain('\u001b');
      expect(listed.stdout).toContain('evil\\x1b[2Jname');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('sessions list and one-off retention flags', () => {
  it('sessions list shows keys, agent, last update and event count', async () => {
    const listed = await callCli(['sessions', 'list', '--json'], { env });
    expect(listed.code).toBe(0);
    const sessions = json<{ key: string; agentId: string; events: number; updatedAt: string }[]>(listed.stdout);
    expect(sessions.map((s) => s.key).sort()).toEqual(['agent:main:fixture-notes', 'agent:main:main']);
    expect(sessions.reduce((n, s) => n + s.events, 0)).toBe(20);
    expect(sessions.every((s) => s.agentId === 'main' && !Number.isNaN(Date.parse(s.updatedAt)))).toBe(true);
    const text = await callCli(['sessions', 'list'], { env });
    expect(text.stdout.split('\n')[0]).toMatch(/^KEY +AGENT +UPDATED +EVENTS$/);
    const unknown = await callCli(['sessions', 'list', '--agent', 'nobody'], { env });
    expect(unknown.code).toBe(2);
  });

  it('prune --keep-last overrides backup.retention for one run; bad values name the flag', async () => {
    const dry = await callCli(['prune', '--keep-last', '1', '--dry-run', '--json'], { env });
    expect(dry.code).toBe(0);
    const doc = json<{ kept: { archive: string }[]; removed: { archive: string }[] }>(dry.stdout);
    expect(doc.kept.map((k) => k.archive)).toEqual([newer]);
    expect(doc.removed.map((r) => r.archive)).toEqual([older]);
    expect(fs.existsSync(older)).toBe(true);
    const quiet = await callCli(['prune', '--keep-last', '1', '--dry-run', '--quiet'], { env });
    expect(quiet).toMatchObject({ code: 0, stdout: '' });
    const bad = await callCli(['prune', '--keep-daily', '-2'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--keep-daily: expected a non-negative integer, got "-2"/);
    const nothing = await callCli(['prune', '--keep-last', '0'], { env });
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/--keep-\*: a retention policy must keep something/);
    expect(fs.existsSync(older)).toBe(true);
  });
});
