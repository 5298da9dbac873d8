import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { craftTars, tamperSpec, type CraftSpec, type Doc } from '../helpers/craft.js';
import { callCli } from '../helpers/cli-in-process.js';
import { makeTempDir, NATIVE_FIXTURE, writeTree } from '../helpers/fixture.js';
import { fixtureWithArchive, snapshotTree } from '../helpers/tree.js';

/**
 * Issue 21.2: a real archive with one root appended to its header and manifest (every hash right) must not make
 * restore write, move or replace anything the user's own config or flags do not name.
 */
let sandbox: string;
let home: string;
let outside: string;
let victim: string;
let archive: string;
let crafted: string;

const EXTRA = [
  { name: 'openclaw-backup/external/9', type: 'dir' as const },
  { name: 'openclaw-backup/external/9/PLANTED.md', data: 'planted by the archive' },
];

function root(fields: Doc): Doc {
  return { id: 'external-9', path: '/nowhere/ws', archivePath: 'openclaw-backup/external/9', role: 'workspace', ...fields };
}

beforeAll(async () => {
  sandbox = makeTempDir('ocb-roots-');
  home = path.join(sandbox, 'home');
  outside = path.join(sandbox, 'outside');
  victim = path.join(sandbox, 'victim');
  crafted = makeTempDir('ocb-roots-archives-');
  ({ archive } = await fixtureWithArchive(home));
  writeTree(outside, { 'keep.txt': 'outside' });
  writeTree(victim, { 'data.txt': 'the victim dir' });
});
afterAll(() => {
  for (const dir of [sandbox, crafted]) fs.rmSync(dir, { recursive: true, force: true });
});

function craft(...args: Parameters<typeof tamperSpec>): string {
  const spec = tamperSpec(...args);
  craftTars([spec]);
  return spec.out;
}

/** A case's archive is a spec for Python's tarfile; every one of a describe block is crafted at once, before its tests. */
type Case = [name: string, build: (out: string) => CraftSpec, reason: RegExp, extraArgs?: string[]];

const cases = (): Case[] => [
  [
    'root id with ".." (would create <target>/restored-roots/../../outside/X)',
    (out) => tamperSpec(archive, out, (h) => h.roots.push(root({ id: '../../outside/X' }))),
    /root 1 \(\.\.\/\.\.\/outside\/X\): id is not a plain name/,
  ],
  [
    'archivePath with ".." (would move an outside dir into the target)',
    (out) => tamperSpec(archive, out, (h) => h.roots.push(root({ archivePath: 'openclaw-backup/../outside' }))),
    /archivePath is unsafe \(".." path component\)/,
  ],
  [
    'absolute archivePath',
    (out) => tamperSpec(archive, out, (h) => h.roots.push(root({ archivePath: `${outside}` }))),
    /archivePath is unsafe \(absolute path\)/,
  ],
  [
    'archivePath outside openclaw-backup/external/<n>',
    (out) => tamperSpec(archive, out, (h) => h.roots.push(root({ archivePath: 'openclaw-backup/state/agents' }))),
    /archivePath is not openclaw-backup\/external\/<n>/,
  ],
  [
    'recorded path with ".."',
    (out) => tamperSpec(archive, out, (h) => h.roots.push(root({ path: `${home}/../victim` })), EXTRA),
    /path is unusable \(".." path component\)/,
  ],
  [
    'recorded path no config names (an in-place restore replaced it)',
    (out) => tamperSpec(archive, out, (h) => h.roots.push(root({ path: victim })), EXTRA),
    /root external-9 \(.*victim\) is not a workspace or agent dir its config names/,
  ],
  [
    'header home and a root at it (a restore moved $HOME away)',
    (out) => tamperSpec(archive, out, (h) => h.roots.push(root({ path: home })), EXTRA),
    /contains the state dir|contains the home dir/,
    ['--state-dir', path.join('..', 'state2')],
  ],
  [
    'header and manifest disagree on the roots',
    (out) =>
      tamperSpec(archive, out, (_h, m) => {
        m.roots = [...m.roots, root({})];
      }),
    /header and manifest list different roots/,
  ],
  [
    'a followed-link root whose link its config does not name (backup.followLinks)',
    (out) =>
      tamperSpec(
        archive,
        out,
        (h) => h.roots.push(root({ role: 'linkTarget', path: victim, link: `${home}/.openclaw/workspace/memory` })),
        EXTRA,
      ),
    /root external-9 \(.*victim\) is the target of .*workspace\/memory, which its config's followLinks does not name/,
  ],
  [
    'a followed-link root without a usable link',
    (out) => tamperSpec(archive, out, (h) => h.roots.push(root({ role: 'linkTarget', path: victim, link: 'relative/link' })), EXTRA),
    /link is unusable/,
  ],
  [
    'a second state root',
    (out) => tamperSpec(archive, out, (h) => h.roots.push(root({ id: 'state', role: 'state', archivePath: 'openclaw-backup/state' }))),
    /the state root must be the first/,
  ],
];

describe('appended roots are validated like entry paths: exit 3 in verify and restore, nothing outside changes', () => {
  const all = cases();
  const fileOf = (name: string) => path.join(crafted, `${name.replace(/\W+/g, '-').slice(0, 60)}.tar.gz`);
  beforeAll(() => craftTars(all.map(([name, build]) => build(fileOf(name)))));

  // In process (callCli): the same commands, messages and exit codes as the bin, without a Node start per call.
  it.each(all)('%s', async (name, _build, reason, extraArgs = []) => {
    const file = fileOf(name);
    const before = snapshotTree(sandbox);
    const stateArgs = extraArgs.map((arg) => (arg.startsWith('..') ? path.resolve(home, arg) : arg));
    const runs = [
      ['verify', file],
      ['restore', '--target', path.join(sandbox, 'copy'), file],
      [...stateArgs, 'restore', '--force', file],
    ];
    for (const args of runs) {
      const result = await callCli(args, { env: { HOME: home } });
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(3);
      expect(result.stderr).toMatch(reason);
      expect(snapshotTree(sandbox)).toEqual(before);
    }
  });

  it('a root its config names that is this $HOME passes verify (the archive cannot know this home) but restore refuses it', async () => {
    // The archive claims another machine (/elsewhere) whose config names this user's home as a workspace.
    const config = JSON.parse(fs.readFileSync(path.join(home, '.openclaw', 'openclaw.json'), 'utf8'));
    config.agents.defaults.workspace = home;
    const file = craft(
      archive,
      path.join(crafted, 'home-workspace.tar.gz'),
      (h) => {
        h.stateDir = '/elsewhere/.openclaw';
        h.host.home = '/elsewhere';
        h.configPath = '/elsewhere/.openclaw/openclaw.json';
        h.roots[0].path = '/elsewhere/.openclaw';
        h.roots = [h.roots[0], root({ path: home })];
      },
      EXTRA,
      { 'openclaw-backup/state/openclaw.json': { name: 'openclaw-backup/state/openclaw.json', data: JSON.stringify(config), mode: 0o600 } },
    );
    expect((await callCli(['verify', file], { env: { HOME: home } })).code).toBe(0);
    const before = snapshotTree(sandbox);
    const result = await callCli(['--state-dir', path.join(sandbox, 'state2'), 'restore', file], { env: { HOME: home } });
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toMatch(
      /root external-9 .* would be restored to .*home, which is the file system root or contains your home directory/,
    );
    expect(snapshotTree(sandbox)).toEqual(before);
  });

  it("an appended root the config does name is restored to the config's place (remapped), never to a path the archive alone gives", async () => {
    const config = JSON.parse(fs.readFileSync(path.join(home, '.openclaw', 'openclaw.json'), 'utf8'));
    const ws = path.join(home, 'projects', 'ws');
    config.agents.entries.second = { workspace: ws };
    const file = craft(archive, path.join(crafted, 'named.tar.gz'), (h) => h.roots.push(root({ path: ws })), EXTRA, {
      'openclaw-backup/state/openclaw.json': { name: 'openclaw-backup/state/openclaw.json', data: JSON.stringify(config), mode: 0o600 },
    });
    expect((await callCli(['verify', file], { env: { HOME: home } })).code).toBe(0);
    const newHome = path.join(sandbox, 'newhome');
    const result = await callCli(['restore', '--json', file], { env: { HOME: newHome } });
    expect(result.code, result.stderr).toBe(0);
    expect(fs.readFileSync(path.join(newHome, 'projects', 'ws', 'PLANTED.md'), 'utf8')).toBe('planted by the archive');
    const restored = JSON.parse(fs.readFileSync(path.join(newHome, '.openclaw', 'openclaw.json'), 'utf8'));
    expect(restored.agents.entries.second.workspace).toBe(path.join(newHome, 'projects', 'ws'));
    fs.rmSync(newHome, { recursive: true, force: true });
  });
});

describe('OpenClaw-native archives: assets[].sourcePath is validated the same way', () => {
  let nativeRoot: string;
  let nativeManifest: Doc;

  beforeAll(() => {
    const names = execFileSync('tar', ['-tzf', NATIVE_FIXTURE], { encoding: 'utf8' }).split('\n');
    nativeRoot = (names[0] as string).split('/')[0] as string;
    nativeManifest = JSON.parse(execFileSync('tar', ['-xzOf', NATIVE_FIXTURE, `${nativeRoot}/manifest.json`], { encoding: 'utf8' }));
  });

  function withAsset(out: string, asset: Doc, payload: string): CraftSpec {
    const manifest = structuredClone(nativeManifest);
    manifest.assets.push(asset);
    return {
      out,
      copy: NATIVE_FIXTURE,
      drop: [`${nativeRoot}/manifest.json`],
      append: [
        { name: payload, type: 'dir' },
        { name: `${payload}/PLANTED.md`, data: 'planted' },
        { name: `${nativeRoot}/manifest.json`, data: JSON.stringify(manifest) },
      ],
    };
  }

  const nativeCases = (): Array<[string, (out: string) => CraftSpec, RegExp]> => [
    [
      'a workspace asset its config does not name',
      (out) =>
        withAsset(
          out,
          { kind: 'workspace', sourcePath: victim, archivePath: `${nativeRoot}/payload/posix${victim}` },
          `${nativeRoot}/payload/posix${victim}`,
        ),
      /asset 1 \(workspace\) \(.*victim\) is not a workspace or agent dir its config names/,
    ],
    [
      'a sourcePath with ".."',
      (out) =>
        withAsset(
          out,
          { kind: 'workspace', sourcePath: `${home}/../victim`, archivePath: `${nativeRoot}/payload/posix/x` },
          `${nativeRoot}/payload/posix/x`,
        ),
      /sourcePath is unusable \(".." path component\)/,
    ],
    [
      'an archivePath that is not payload/posix<sourcePath>',
      (out) =>
        withAsset(
          out,
          { kind: 'workspace', sourcePath: victim, archivePath: `${nativeRoot}/payload/posix/elsewhere` },
          `${nativeRoot}/payload/posix/elsewhere`,
        ),
      /archivePath is not .*payload\/posix<sourcePath>/,
    ],
    [
      'a relative sourcePath',
      (out) =>
        withAsset(
          out,
          { kind: 'workspace', sourcePath: 'victim', archivePath: `${nativeRoot}/payload/posixvictim` },
          `${nativeRoot}/payload/posixvictim`,
        ),
      /sourcePath is unusable \(not an absolute path\)/,
    ],
  ];

  const natives = nativeCases();
  const nativeFileOf = (name: string) => path.join(crafted, `native-${name.replace(/\W+/g, '-')}.tar.gz`);
  beforeAll(() => craftTars(natives.map(([name, build]) => build(nativeFileOf(name)))));

  it.each(natives)('%s', async (name, _build, reason) => {
    const file = nativeFileOf(name);
    const before = snapshotTree(sandbox);
    for (const args of [
      ['verify', file],
      ['restore', '--target', path.join(sandbox, 'copy'), file],
      ['restore', '--force', file],
    ]) {
      const result = await callCli(args, { env: { HOME: home } });
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(3);
      expect(result.stderr).toMatch(reason);
      expect(snapshotTree(sandbox)).toEqual(before);
    }
  });
});
