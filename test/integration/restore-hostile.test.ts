import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, runCli, writeTree } from '../helpers/fixture.js';
import { callCli } from '../helpers/cli-in-process.js';
import { craftTars, type CraftSpec } from '../helpers/craft.js';
import { gnuTar, packRaw, type RawEntry } from '../helpers/hostile.js';
import { snapshotTree } from '../helpers/tree.js';

let sandbox: string;
let home: string;
let outside: string;
let archives: string;
let work: string;
/** A JSON5 config and a FIFO outside every target, for archives whose openclaw.json links to them. */
let lures: string;

beforeAll(() => {
  sandbox = makeTempDir('ocb-hostile-');
  home = path.join(sandbox, 'home');
  outside = path.join(sandbox, 'outside');
  archives = makeTempDir('ocb-hostile-archives-');
  work = makeTempDir('ocb-hostile-work-');
  writeTree(home, { '.openclaw/openclaw.json': '{ gateway: { port: 1 } }', '.openclaw/workspace/SOUL.md': 'live soul', 'outside/': null });
  fs.mkdirSync(outside);
  writeTree(sandbox, { 'lure/evil.json5': '{ agents: { defaults: { workspace: "/home/x/.openclaw/workspace" } } }' });
  lures = makeTempDir('ocb-hostile-lures-');
  execFileSync('mkfifo', [path.join(lures, 'fifo')]);
});
afterAll(() => {
  for (const dir of [sandbox, archives, work, lures]) fs.rmSync(dir, { recursive: true, force: true });
});

const header = {
  format: 'openclaw-backup',
  formatVersion: 1,
  stateDir: '/home/x/.openclaw',
  configPath: '/home/x/.openclaw/openclaw.json',
  host: { home: '/home/x' },
  roots: [{ id: 'state', path: '/home/x/.openclaw', archivePath: 'openclaw-backup/state', role: 'state' }],
};
function ours(files: RawEntry[], listed: Array<{ path: string; size: number }>, totalBytes: number): RawEntry[] {
  const manifest = {
    ...header,
    entries: [
      { path: 'openclaw-backup/state', type: 'directory', component: 'state', mode: 448, mtimeMs: 0 },
      ...listed.map((l) => ({ ...l, type: 'file', component: 'state', mode: 384, mtimeMs: 0, sha256: '0'.repeat(64) })),
    ],
    totals: { files: listed.length, directories: 1, symlinks: 0, databases: 0, bytes: totalBytes },
  };
  return [
    { name: 'openclaw-backup/header.json', content: JSON.stringify(header) },
    { name: 'openclaw-backup/state' },
    ...files,
    { name: 'openclaw-backup/manifest.json', content: JSON.stringify(manifest) },
  ];
}

/** A case's archive: written by the builder (tar-stream, GNU tar), or a spec for Python's tarfile (all crafted at once). */
type Case = [name: string, build: (file: string) => Promise<string> | string | CraftSpec, reason: RegExp];

const streamCases = (): Case[] => [
  [
    'absolute path',
    (f) => packRaw(f, [{ name: '.openclaw/' }, { name: `${outside}/abs-evil`, content: 'x' }]),
    /abs-evil: unsafe path \(absolute path\)/,
  ],
  [
    '".." component',
    (f) => packRaw(f, [{ name: '.openclaw/' }, { name: '.openclaw/../evil', content: 'x' }]),
    /unsafe path \(".." path component\)/,
  ],
  [
    'deep ".." escape',
    (f) => packRaw(f, [{ name: '.openclaw/' }, { name: '.openclaw/a/../../../outside/evil', content: 'x' }]),
    /".." path component/,
  ],
  ['".." as the first entry', (f) => packRaw(f, [{ name: '../evil', content: 'x' }]), /\.\.\/evil: unsafe path/],
  [
    'write through an archive symlink to outside',
    (f) =>
      packRaw(f, [
        { name: '.openclaw/' },
        { name: '.openclaw/link', type: 'symlink', linkname: outside },
        { name: '.openclaw/link/evil', content: 'x' },
      ]),
    /passes through the symlink \.openclaw\/link/,
  ],
  [
    'write through a relative symlink',
    (f) =>
      packRaw(f, [
        { name: '.openclaw/' },
        { name: '.openclaw/up', type: 'symlink', linkname: '../..' },
        { name: '.openclaw/up/outside/evil', content: 'x' },
      ]),
    /passes through the symlink/,
  ],
  [
    'symlink to itself, then a file below it',
    (f) =>
      packRaw(f, [
        { name: '.openclaw/' },
        { name: '.openclaw/a', type: 'symlink', linkname: '.' },
        { name: '.openclaw/a/a/x', content: 'x' },
      ]),
    /passes through the symlink \.openclaw\/a/,
  ],
  [
    'hard link to an absolute path',
    (f) => packRaw(f, [{ name: '.openclaw/' }, { name: '.openclaw/h', type: 'link', linkname: '/etc/passwd' }]),
    /hard link to \/etc\/passwd points outside the archive/,
  ],
  [
    'hard link with ".."',
    (f) => packRaw(f, [{ name: '.openclaw/' }, { name: '.openclaw/h', type: 'link', linkname: '../outside/x' }]),
    /points outside the archive/,
  ],
  [
    'hard link to a symlink',
    (f) =>
      packRaw(f, [
        { name: '.openclaw/' },
        { name: '.openclaw/s', type: 'symlink', linkname: '/etc/passwd' },
        { name: '.openclaw/h', type: 'link', linkname: '.openclaw/s' },
      ]),
    /not an earlier regular file/,
  ],
  [
    'character device',
    (f) => packRaw(f, [{ name: '.openclaw/' }, { name: '.openclaw/null', type: 'character-device' }]),
    /\.openclaw\/null: device node/,
  ],
  ['block device', (f) => packRaw(f, [{ name: '.openclaw/' }, { name: '.openclaw/sda', type: 'block-device' }]), /device node/],
  ['FIFO', (f) => packRaw(f, [{ name: '.openclaw/' }, { name: '.openclaw/pipe', type: 'fifo' }]), /\.openclaw\/pipe: FIFO/],
  [
    'setuid file',
    (f) => packRaw(f, [{ name: '.openclaw/' }, { name: '.openclaw/sh', content: '#!/bin/sh', mode: 0o4755 }]),
    /setuid\/setgid bit set/,
  ],
  ['setgid directory', (f) => packRaw(f, [{ name: '.openclaw/' }, { name: '.openclaw/d', mode: 0o2755 }]), /setuid\/setgid bit set/],
  [
    'duplicate path',
    (f) => packRaw(f, [{ name: '.openclaw/' }, { name: '.openclaw/a', content: '1' }, { name: '.openclaw/a', content: '2' }]),
    /\.openclaw\/a: duplicate entry/,
  ],
  [
    'file below a file',
    (f) => packRaw(f, [{ name: '.openclaw/' }, { name: '.openclaw/a', content: '1' }, { name: '.openclaw/a/b', content: '2' }]),
    /parent \.openclaw\/a is not a directory/,
  ],
  [
    'case-colliding files',
    (f) => packRaw(f, [{ name: '.openclaw/' }, { name: '.openclaw/Soul.md', content: '1' }, { name: '.openclaw/soul.md', content: '2' }]),
    /collides with \.openclaw\/Soul\.md/,
  ],
  [
    'case-colliding directories',
    (f) => packRaw(f, [{ name: '.openclaw/' }, { name: '.openclaw/WS/a', content: '1' }, { name: '.openclaw/ws/b', content: '2' }]),
    /collides with \.openclaw\/WS/,
  ],
  [
    'entry outside the root folder',
    (f) => packRaw(f, [{ name: '.openclaw/' }, { name: 'elsewhere/evil', content: 'x' }]),
    /elsewhere\/evil: outside the archive's root folder/,
  ],
  [
    'our format: ".." inside the state prefix',
    (f) => packRaw(f, ours([{ name: 'openclaw-backup/state/../../evil', content: 'x' }], [], 1)),
    /".." path component/,
  ],
  [
    'our format: entry larger than the manifest says',
    (f) =>
      packRaw(
        f,
        ours([{ name: 'openclaw-backup/state/a', content: 'x'.repeat(5000) }], [{ path: 'openclaw-backup/state/a', size: 10 }], 10),
      ),
    /state\/a: size 5000, manifest says 10/,
  ],
  [
    'our format: zip bomb far beyond the manifest total',
    (f) =>
      packRaw(
        f,
        ours(
          [{ name: 'openclaw-backup/state/bomb', content: Buffer.alloc(30 << 20) }],
          [{ path: 'openclaw-backup/state/bomb', size: 30 << 20 }],
          100,
        ),
      ),
    /decompressed content of \d+ bytes is far beyond the manifest's total of 100 bytes/,
  ],
  [
    'our format: file the manifest does not list',
    (f) => packRaw(f, ours([{ name: 'openclaw-backup/state/extra', content: 'x' }], [], 0)),
    /state\/extra: in the archive but not in the manifest/,
  ],
  [
    'native layout with ".." in the payload',
    (f) => packRaw(f, [{ name: 'root/payload/posix/../../../evil', content: 'x' }]),
    /".." path component/,
  ],
];

const nativeRoot = '2026-01-01T00-00-00.000Z-openclaw-backup';
const nativeManifest = (stateDir: string) =>
  JSON.stringify({
    schemaVersion: 1,
    archiveRoot: nativeRoot,
    paths: { stateDir },
    assets: [{ kind: 'state', sourcePath: stateDir, archivePath: `${nativeRoot}/payload/posix${stateDir}` }],
  });
const ourHeader = (roots = header.roots) => JSON.stringify({ ...header, roots });

/** Archives written by Python's tarfile: roots that are links, configs that are links, PAX global headers, long names. */
const craftedCases = (): Case[] => [
  [
    'the state dir itself is a symlink (hand-made)',
    (f) => ({ out: f, append: [{ name: '.openclaw', type: 'symlink', linkname: outside }] }),
    /\.openclaw: the state dir \.openclaw is a symlink in the archive, not a directory/,
  ],
  [
    'our state root is a symlink',
    (f) => ({
      out: f,
      append: [
        { name: 'openclaw-backup/header.json', data: ourHeader() },
        { name: 'openclaw-backup/state', type: 'symlink', linkname: outside },
        {
          name: 'openclaw-backup/manifest.json',
          data: JSON.stringify({
            ...header,
            entries: [
              {
                path: 'openclaw-backup/state',
                type: 'symlink',
                component: 'state',
                mode: 511,
                mtimeMs: 0,
                target: outside,
                external: true,
              },
            ],
            totals: { files: 0, directories: 0, symlinks: 1, databases: 0, bytes: 0 },
          }),
        },
      ],
    }),
    /openclaw-backup\/state: root state is a symlink in the archive, not a directory/,
  ],
  [
    'a native state asset that is a symlink',
    (f) => ({
      out: f,
      append: [
        { name: `${nativeRoot}/payload/posix/home/x/.openclaw`, type: 'symlink', linkname: outside },
        { name: `${nativeRoot}/manifest.json`, data: nativeManifest('/home/x/.openclaw') },
      ],
    }),
    /asset 0 \(state\) is a symlink in the archive, not a directory/,
  ],
  [
    'openclaw.json links to a JSON5 file outside',
    (f) => ({
      out: f,
      append: [
        { name: '.openclaw', type: 'dir' },
        { name: '.openclaw/openclaw.json', type: 'symlink', linkname: path.join(sandbox, 'lure/evil.json5') },
      ],
    }),
    /\.openclaw\/openclaw\.json: the config is a symlink, not a regular file/,
  ],
  [
    'openclaw.json links to a FIFO outside',
    (f) => ({
      out: f,
      append: [
        { name: '.openclaw', type: 'dir' },
        { name: '.openclaw/openclaw.json', type: 'symlink', linkname: path.join(lures, 'fifo') },
      ],
    }),
    /the config is a symlink, not a regular file/,
  ],
  [
    'our config root is a symlink',
    (f) => ({
      out: f,
      append: [
        {
          name: 'openclaw-backup/header.json',
          data: ourHeader([
            ...header.roots,
            {
              id: 'external-1',
              path: '/home/x/cfg/openclaw.json',
              archivePath: 'openclaw-backup/external/1/openclaw.json',
              role: 'config',
            },
          ]),
        },
        { name: 'openclaw-backup/state', type: 'dir' },
        { name: 'openclaw-backup/external/1/openclaw.json', type: 'symlink', linkname: path.join(sandbox, 'lure/evil.json5') },
        {
          name: 'openclaw-backup/manifest.json',
          data: JSON.stringify({
            ...header,
            roots: [
              ...header.roots,
              {
                id: 'external-1',
                path: '/home/x/cfg/openclaw.json',
                archivePath: 'openclaw-backup/external/1/openclaw.json',
                role: 'config',
              },
            ],
            entries: [
              { path: 'openclaw-backup/state', type: 'directory', component: 'state', mode: 448, mtimeMs: 0 },
              {
                path: 'openclaw-backup/external/1/openclaw.json',
                type: 'symlink',
                component: 'config',
                mode: 511,
                mtimeMs: 0,
                target: path.join(sandbox, 'lure/evil.json5'),
                external: true,
              },
            ],
            totals: { files: 0, directories: 1, symlinks: 1, databases: 0, bytes: 0 },
          }),
        },
      ],
    }),
    /root external-1 is a symlink in the archive, not a file/,
  ],
  [
    'a PAX global header renames what GNU tar extracts',
    (f) => ({
      out: f,
      global: { path: '.openclaw/evil' },
      append: [
        { name: '.openclaw', type: 'dir' },
        { name: '.openclaw/a', data: 'x' },
      ],
    }),
    /follows a PAX global header \(type g\)/,
  ],
  [
    'a path component longer than 255 bytes',
    (f) => ({
      out: f,
      append: [
        { name: '.openclaw', type: 'dir' },
        { name: `.openclaw/${'n'.repeat(300)}`, data: 'x' },
      ],
    }),
    /path component of 300 bytes, longer than the system allows \(255\)/,
  ],
  [
    'an entry path of 4096+ bytes',
    (f) => ({
      out: f,
      append: [
        { name: '.openclaw', type: 'dir' },
        { name: `.openclaw/${Array.from({ length: 21 }, () => 'd'.repeat(200)).join('/')}`, data: 'x' },
      ],
    }),
    /path of \d{4} bytes, longer than the 3071 a restore can create/,
  ],
];

function gnuCase(name: string, prepare: (dir: string) => void, args: (file: string, dir: string) => string[], reason: RegExp): Case {
  return [
    `GNU tar: ${name}`,
    (file) => {
      const dir = fs.mkdtempSync(path.join(work, 'g-'));
      prepare(dir);
      gnuTar(dir, args(file, dir));
      return file;
    },
    reason,
  ];
}

const gnuCases = (): Case[] => [
  gnuCase(
    'absolute names (-P)',
    (d) => writeTree(d, { '.openclaw/a': 'x' }),
    (f, d) => ['-P', '-czf', f, `${d}/.openclaw`],
    /unsafe path \(absolute path\)|not an OpenClaw backup/,
  ),
  gnuCase(
    '".." through --transform',
    (d) => writeTree(d, { '.openclaw/a': 'x', evil: 'x' }),
    (f) => ['-czf', f, '--transform', 's,^evil,.openclaw/../evil,', '.openclaw', 'evil'],
    /".." path component/,
  ),
  gnuCase(
    'symlink then a file through it',
    (d) => {
      writeTree(d, { '.openclaw/a': 'x', 'payload/evil': 'x' });
      fs.symlinkSync(outside, path.join(d, '.openclaw/link'));
    },
    (f) => ['-czf', f, '--transform', 's,^payload,.openclaw/link,', '.openclaw', 'payload/evil'],
    /passes through the symlink \.openclaw\/link/,
  ),
  gnuCase(
    'hard link retargeted outside',
    (d) => {
      writeTree(d, { '.openclaw/a': 'x' });
      fs.linkSync(path.join(d, '.openclaw/a'), path.join(d, '.openclaw/b'));
    },
    (f) => ['-czf', f, '--transform', 's,^\\.openclaw/a$,../../etc/passwd,h', '.openclaw'],
    /points outside the archive|".." path component/,
  ),
  gnuCase(
    'FIFO',
    (d) => {
      writeTree(d, { '.openclaw/a': 'x' });
      execFileSync('mkfifo', [path.join(d, '.openclaw/fifo')]);
    },
    (f) => ['-czf', f, '.openclaw'],
    /\.openclaw\/fifo: FIFO/,
  ),
  gnuCase(
    'device node',
    (d) => {
      writeTree(d, { '.openclaw/a': 'x' });
      execFileSync('mknod', [path.join(d, '.openclaw/null'), 'c', '1', '3']);
    },
    (f) => ['-czf', f, '.openclaw'],
    /\.openclaw\/null: device node/,
  ),
  gnuCase(
    'setuid file',
    (d) => {
      writeTree(d, { '.openclaw/run': '#!/bin/sh' });
      fs.chmodSync(path.join(d, '.openclaw/run'), 0o4755);
    },
    (f) => ['-czf', f, '.openclaw'],
    /setuid\/setgid bit set/,
  ),
  gnuCase(
    'the same file named twice',
    (d) => writeTree(d, { '.openclaw/a': 'x' }),
    (f) => ['-czf', f, '.openclaw', '.openclaw/a'],
    /duplicate entry/,
  ),
  gnuCase(
    'case-colliding names',
    (d) => writeTree(d, { '.openclaw/A.md': '1', '.openclaw/a.md': '2' }),
    (f) => ['-czf', f, '.openclaw'],
    /collides with/,
  ),
];

const evilName = '.openclaw/\u001b[2J\u001b[1;1Hok: all good\u009b\u202e';
/** Two archives the tests below read beside the refused cases, crafted in the same batch. */
const extraSpecs = (): Record<'paxGlobal' | 'escapes', CraftSpec> => ({
  paxGlobal: {
    out: path.join(archives, 'pax-global.tar.gz'),
    global: { path: '.openclaw/evil' },
    append: [
      { name: '.openclaw', type: 'dir' },
      { name: '.openclaw/a', data: 'x' },
    ],
  },
  escapes: {
    out: path.join(archives, 'escapes.tar.gz'),
    append: [
      { name: '.openclaw', type: 'dir' },
      { name: evilName, data: '1' },
      { name: evilName, data: '2' },
    ],
  },
});

describe('hostile archives: refused with exit 3, nothing written outside, live state unchanged', () => {
  const cases = [...streamCases(), ...gnuCases(), ...craftedCases()];
  const fileOf = (name: string) => path.join(archives, `${name.replace(/\W+/g, '-')}.tar.gz`);
  let extra: ReturnType<typeof extraSpecs>;

  // The corpus is built once: tar-stream and GNU tar cases as they come, every Python-crafted one in one process.
  beforeAll(async () => {
    extra = extraSpecs();
    const crafted: CraftSpec[] = [extra.paxGlobal, extra.escapes];
    for (const [name, build] of cases) {
      const made = await build(fileOf(name));
      if (typeof made === 'object') crafted.push(made);
    }
    craftTars(crafted);
  });

  it('has at least 20 cases from both tar-stream and GNU tar', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    expect(cases.filter(([name]) => name.startsWith('GNU tar')).length).toBeGreaterThanOrEqual(8);
  });

  // In process (callCli): the same commands, messages and exit codes as the bin, without a Node start per call; the
  // escapes test below runs the built CLI, so the real process's exit code and output are checked too.
  it.each(cases)('%s', async (name, _build, reason) => {
    const file = fileOf(name);
    const before = snapshotTree(sandbox);
    for (const args of [
      ['verify', file],
      ['restore', file],
      ['restore', '--target', path.join(sandbox, 'copy'), file],
    ]) {
      const result = await callCli(args, { env: { HOME: home } });
      expect(result.code, `${args[0]}: ${result.stderr}`).toBe(3);
      expect(result.stderr).toMatch(reason);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(snapshotTree(sandbox)).toEqual(before);
    }
    expect(fs.readdirSync(outside)).toEqual([]);
    expect(fs.lstatSync(path.join(lures, 'fifo')).isFIFO()).toBe(true);
  });

  it("GNU tar and verify would disagree on a PAX global header's names: GNU tar renames the entry, we refuse", () => {
    expect(execFileSync('tar', ['-tzf', extra.paxGlobal.out], { encoding: 'utf8' })).not.toContain('.openclaw/a');
  });

  it('a name with terminal escapes is printed escaped, never raw (by the built CLI)', async () => {
    const file = extra.escapes.out;
    for (const args of [
      ['verify', file],
      ['verify', '--json', file],
      ['restore', '--target', path.join(sandbox, 'copy'), file],
    ]) {
      const result = await runCli(args, { env: { HOME: home } });
      expect(result.code).toBe(3);
      const out = result.stdout + result.stderr;
      expect(out).not.toMatch(/[\u001b\u009b\u202e]/);
      expect(out).toMatch(args[1] === '--json' ? /\\u001b\[2J/ : /\\x1b\[2J\\x1b\[1;1Hok: all good\\x9b\\u202e: duplicate entry/);
    }
  });
});
