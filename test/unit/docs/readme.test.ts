import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../helpers/fixture.js';

const read = (file: string) => fs.readFileSync(path.join(REPO_ROOT, file), 'utf8');
const readme = read('README.md');
const pkg = JSON.parse(read('package.json')) as { version: string; scripts: Record<string, string> };

/** The `##` sections of a markdown document, in order: [heading, body]. */
function sections(markdown: string): Array<[string, string]> {
  const parts = markdown.split(/^## /m).slice(1);
  return parts.map((part) => {
    const newline = part.indexOf('\n');
    return [part.slice(0, newline).trim(), part.slice(newline + 1)];
  });
}

/** The shell commands of a section's fenced sh blocks, comments dropped. */
function shellCommands(body: string): string[] {
  const blocks = [...body.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks.flatMap((block) =>
    block
      .split('\n')
      .map((line) => line.replace(/\s+#.*$/, '').trim())
      .filter(Boolean),
  );
}

/** The commands .ci/run runs, in order. */
const ciCommands = read('.ci/run')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#') && !/^(set |cd )/.test(line));

describe('README: a user reads it first', () => {
  const all = sections(readme);

  it('opens with the quick start: install, first backup, list, restore, nightly — then the contents', () => {
    expect(all[0]![0]).toBe('Quick start');
    expect(all[1]![0]).toBe('Contents');
    const quick = shellCommands(all[0]![1]);
    expect(quick.slice(0, 2)).toEqual(['npm ci && npm pack', `npm i -g ./openclaw-backup-${pkg.version}.tgz`]);
    for (const step of [
      'openclaw-backup create',
      'openclaw-backup list',
      'openclaw-backup restore latest',
      'openclaw-backup service install',
    ])
      expect(quick).toContain(step);
    // The first screen: the quick start fits in about 40 lines.
    expect(all[0]![1].split('\n').length).toBeLessThanOrEqual(40);
  });

  it('has a contents entry for every section, each pointing to a heading that exists', () => {
    const contents = all[1]![1];
    for (const [heading] of all.slice(2)) expect(contents).toContain(`[${heading}](#`);
  });

  it('never tells a user to run what does not work: no registry install, no npx', () => {
    const commands = all.flatMap(([, body]) => shellCommands(body));
    expect(commands.filter((c) => /npm i(nstall)? -g (openclaw )?openclaw-backup\b/.test(c))).toEqual([]);
    expect(commands.filter((c) => /\bnpx openclaw-backup\b/.test(c))).toEqual([]);
  });

  it('the migration and restic sections say what must travel besides the archive, and how', () => {
    const migration = all.find(([heading]) => heading === 'Migrate to a new machine')![1];
    expect(migration).toContain('What must travel besides the archive');
    expect(migration).toMatch(/age identity file[\s\S]*scp ~\/\.config\/age\//);
    expect(migration).toMatch(/password file[\s\S]*scp ~\/\.config\/openclaw-backup\/restic-password/);
    const restic = all.find(([heading]) => heading === 'Restic repositories')![1];
    expect(restic).toContain('The password travels separately');
  });

  it('keeps developer material in its own section, and its commands are exactly what .ci/run runs', () => {
    const development = all.find(([heading]) => heading === 'Development');
    expect(development).toBeDefined();
    expect(all.at(-1)![0]).toBe('Development');
    expect(shellCommands(development![1])).toEqual(ciCommands);
    const contributing = sections(read('CONTRIBUTING.md')).find(([heading]) => heading.startsWith('Setup'))!;
    expect(shellCommands(contributing[1]).slice(0, ciCommands.length)).toEqual(ciCommands);
    // No test suite in the user's part of the README.
    const userPart = readme.slice(0, readme.indexOf('\n## Development'));
    expect(userPart).not.toMatch(/npm run test:|scripts\/setup\.sh/);
  });
});

describe('package.json: a packed tarball installs and runs on the user Node', () => {
  it('builds when packed, and runs no script when installed', () => {
    expect(pkg.scripts.prepack).toMatch(/npm run build/);
    for (const hook of ['preinstall', 'install', 'postinstall', 'prepare']) expect(pkg.scripts[hook]).toBeUndefined();
  });

  it('needs the Node the CLI checks for, and ships the bin, units and docs', () => {
    const full = JSON.parse(read('package.json')) as { engines: { node: string }; bin: Record<string, string>; files: string[] };
    expect(full.engines.node).toBe('>=22.16.0');
    expect(read('src/cli/main.ts')).toContain('const NEEDED = [22, 16]');
    expect(full.bin['openclaw-backup']).toBe('dist/cli/main.js');
    expect(full.files).toEqual(expect.arrayContaining(['dist', 'systemd', 'launchd', 'docs', 'config.example.json5']));
  });
});
