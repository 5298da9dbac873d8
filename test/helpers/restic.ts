import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './fixture.js';

/** A password file (0600) for a test repository. */
export function writePasswordFile(dir: string, password = 'correct horse battery staple'): string {
  const file = path.join(dir, 'restic-password');
  fs.writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return file;
}

export interface ResticCall {
  repo: string;
  passwordFile: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
}

/** The plain restic CLI against a repository (to inspect or damage what we made, or to make foreign snapshots). */
export function restic(call: ResticCall, args: string[], input?: Buffer | string): string {
  // --no-cache: this restic leaves nothing in the temp dir (the test run checks it stays clean).
  return execFileSync('restic', ['--no-cache', ...(call.args ?? []), ...args], {
    env: { PATH: process.env.PATH, HOME: os.tmpdir(), ...call.env, RESTIC_REPOSITORY: call.repo, RESTIC_PASSWORD_FILE: call.passwordFile },
    input,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

export function snapshotsOf(
  call: ResticCall,
  filter: string[] = [],
): { id: string; short_id: string; hostname: string; tags?: string[]; paths: string[] }[] {
  return JSON.parse(restic(call, ['snapshots', '--json', ...filter])) as {
    id: string;
    short_id: string;
    hostname: string;
    tags?: string[];
    paths: string[];
  }[];
}

/** Bytes of every file under dir (a local repository's size on disk). */
export function dirBytes(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += fs.statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, output: () => string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}) before listening: ${output()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server did not listen on ${port} within ${timeoutMs} ms: ${output()}`);
}

export interface TestServer {
  pid: number;
  port: number;
  stop(): Promise<void>;
}

/** Starts a server process on 127.0.0.1:port and resolves once it accepts connections; stop() ends it by its PID. */
export async function startServer(
  file: string,
  args: (port: number) => string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<TestServer> {
  const port = await freePort();
  const child = spawn(file, args(port), { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitForPort(port, child, () => output);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    pid: child.pid as number,
    port,
    async stop() {
      if (child.exitCode !== null) return;
      process.kill(child.pid as number, 'SIGTERM');
      const timer = setTimeout(() => child.exitCode === null && process.kill(child.pid as number, 'SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** `rclone serve restic`: restic's REST protocol over a local folder. */
export const startRestServer = (dir: string) => startServer('rclone', (port) => ['serve', 'restic', '--addr', `127.0.0.1:${port}`, dir]);

/** s3rver over HTTPS with a fresh self-signed certificate for 127.0.0.1; returns the certificate to trust. */
export async function startS3Server(dir: string): Promise<TestServer & { cert: string }> {
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  const data = path.join(dir, 'data');
  fs.mkdirSync(data);
  const bin = path.join(REPO_ROOT, 'node_modules', 's3rver', 'bin', 's3rver.js');
  const server = await startServer(process.execPath, (port) => [
    bin,
    '-d',
    data,
    '-a',
    '127.0.0.1',
    '-p',
    String(port),
    '--key',
    key,
    '--cert',
    cert,
    '--silent',
  ]);
  return { ...server, cert };
}

/**
 * OpenSSH's sshd on 127.0.0.1 with a throwaway host key and one client key (internal-sftp, keys only). Needs root
 * (sshd's privilege separation); returns the ssh command restic's sftp.command option takes.
 */
export async function startSshServer(dir: string): Promise<TestServer & { sshCommand: string; user: string }> {
  const hostKey = path.join(dir, 'host_key');
  const clientKey = path.join(dir, 'client_key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', clientKey]);
  fs.copyFileSync(`${clientKey}.pub`, path.join(dir, 'authorized_keys'));
  fs.mkdirSync('/run/sshd', { recursive: true });
  const config = path.join(dir, 'sshd_config');
  const user = os.userInfo().username;
  const server = await startServer('/usr/sbin/sshd', (port) => {
    fs.writeFileSync(
      config,
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${hostKey}`,
        `PidFile ${path.join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PermitRootLogin prohibit-password',
        'StrictModes no',
        'UsePAM no',
        'Subsystem sftp internal-sftp',
        '',
      ].join('\n'),
    );
    return ['-D', '-e', '-f', config];
  });
  const sshCommand = `ssh -i ${clientKey} -p ${server.port} -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR ${user}@127.0.0.1 -s sftp`;
  return { ...server, sshCommand, user };
}
