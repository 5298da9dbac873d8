import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, unpackFixture } from '../helpers/fixture.js';
import { callCli } from '../helpers/cli-in-process.js';
import { freePort, startRestServer, startS3Server, startSshServer, writePasswordFile, type TestServer } from '../helpers/restic.js';
import { snapshotTree } from '../helpers/tree.js';

let home: string;
let stateDir: string;
let passwordFile: string;
let server: TestServer | undefined;

function setBlock(repository: Record<string, unknown>): void {
  const configPath = path.join(stateDir, 'openclaw.json');
  const config = JSON.parse(fs.readFileSync(configPath, 'utf8')) as { plugins: { entries: Record<string, unknown> } };
  config.plugins.entries['openclaw-backup'] = { config: { repository: { passwordFile, ...repository } } };
  fs.writeFileSync(configPath, JSON.stringify(config, null, 2), { mode: 0o600 });
}

const files = (root: string) => Object.keys(snapshotTree(root, (rel) => rel === 'backups' || rel.startsWith('openclaw-backup')));

/** create --init, a second create, list, restore --target: the same for every backend. */
async function roundTrip(location: string, env: NodeJS.ProcessEnv = {}): Promise<void> {
  const run = (args: string[]) => callCli(args, { env: { HOME: home, ...env } });
  const first = await run(['create', '--init', '--json']);
  expect(first.code, first.stderr).toBe(0);
  expect(JSON.parse(first.stdout).repository).toBe(location);
  fs.writeFileSync(path.join(stateDir, 'workspace/SOUL.md'), 'remote night two');
  const second = await run(['create', '--json']);
  expect(second.code, second.stderr).toBe(0);
  const list = await run(['list', '--json']);
  expect(list.code, list.stderr).toBe(0);
  const listed = JSON.parse(list.stdout) as { archive: string; repository: string }[];
  expect(listed).toHaveLength(2);
  expect(listed[0]).toMatchObject({ archive: JSON.parse(second.stdout).archive, repository: location });
  const copy = path.join(home, 'copy');
  const restore = await run(['restore', 'latest', '--target', copy]);
  expect(restore.code, restore.stderr).toBe(0);
  expect(fs.readFileSync(path.join(copy, 'workspace/SOUL.md'), 'utf8')).toBe('remote night two');
  expect(fs.readFileSync(path.join(copy, 'openclaw.json'), 'utf8')).toBe(fs.readFileSync(path.join(stateDir, 'openclaw.json'), 'utf8'));
  const restored = files(copy);
  expect(restored.length).toBeGreaterThan(40);
  expect(restored.filter((rel) => !fs.lstatSync(path.join(stateDir, rel), { throwIfNoEntry: false }))).toEqual([]);
}

beforeEach(() => {
  home = makeTempDir('ocb-restic-remote-');
  stateDir = unpackFixture(home);
  passwordFile = writePasswordFile(home);
});
afterEach(async () => {
  await server?.stop();
  server = undefined;
  fs.rmSync(home, { recursive: true, force: true });
});

// Each case runs several real restic commands: a loaded machine can take minutes, a quiet one seconds.
describe('restic repository on real servers (127.0.0.1)', { timeout: 300_000 }, () => {
  it('REST: rclone serve restic', async () => {
    const dir = path.join(home, 'rest-data');
    fs.mkdirSync(dir);
    server = await startRestServer(dir);
    const url = `rest:http://127.0.0.1:${server.port}/`;
    setBlock({ url });
    await roundTrip(url);
    expect(fs.existsSync(path.join(dir, 'config'))).toBe(true);
  });

  it('rclone backend: restic starts rclone itself (rclone:<remote>:<path>, here a local path)', async () => {
    const url = `rclone:${path.join(home, 'rclone-remote')}`;
    setBlock({ url });
    await roundTrip(url);
  });

  it('REST with credentials in the URL: never shown, an unreachable server is one line exit 1', async () => {
    const dir = path.join(home, 'rest-data');
    fs.mkdirSync(dir);
    server = await startRestServer(dir);
    setBlock({ url: `rest:http://backup:s3cret-in-url@127.0.0.1:${server.port}/` });
    const made = await callCli(['create', '--init', '--json'], { env: { HOME: home } });
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout + made.stderr).not.toContain('s3cret-in-url');
    expect(JSON.parse(made.stdout).repository).toBe(`rest:http://backup:***@127.0.0.1:${server.port}/`);
    const status = await callCli(['status'], { env: { HOME: home } });
    expect(status.stdout).toContain(`rest:http://backup:***@127.0.0.1:${server.port}/`);
    expect(status.stdout).not.toContain('s3cret-in-url');

    // Nothing listens there: ssh is refused at once (a REST server that is down is retried by restic for a minute).
    const closed = await freePort();
    setBlock({
      url: `sftp://nobody@127.0.0.1:${closed}/repo`,
      options: { 'sftp.command': `ssh -p ${closed} -o BatchMode=yes -o StrictHostKeyChecking=no nobody@127.0.0.1 -s sftp` },
    });
    const unreachable = await callCli(['list'], { env: { HOME: home } });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr.trim().split('\n')).toHaveLength(1);
    expect(unreachable.stderr).toMatch(/^openclaw-backup: cannot reach repository sftp:\/\/nobody@127\.0\.0\.1:\d+\/repo: /);
  });

  it('SFTP: OpenSSH sshd with internal-sftp, sftp.command from backup.repository.options', async () => {
    if (process.getuid?.() !== 0 || !fs.existsSync('/usr/sbin/sshd')) return;
    const dir = makeTempDir('ocb-restic-sshd-');
    try {
      const ssh = await startSshServer(dir);
      server = ssh;
      const url = `sftp:${ssh.user}@127.0.0.1:${path.join(dir, 'repo')}`;
      setBlock({ url, options: { 'sftp.command': ssh.sshCommand } });
      await roundTrip(url);
    } finally {
      await server?.stop();
      server = undefined;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('S3: s3rver over HTTPS with a self-signed certificate (backup.repository.cacert), AWS_CA_BUNDLE unset', async () => {
    const dir = path.join(home, 's3');
    fs.mkdirSync(dir);
    const s3 = await startS3Server(dir);
    server = s3;
    const url = `s3:https://127.0.0.1:${s3.port}/openclaw-backups`;
    setBlock({ url, cacert: s3.cert });
    await roundTrip(url, { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' });
  });
});
