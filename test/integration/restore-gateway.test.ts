import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { detectGateway } from '../../src/core/gateway/detect.js';
import { makeTempDir, runCli } from '../helpers/fixture.js';
import { fixtureWithArchive, snapshotTree } from '../helpers/tree.js';

let holder: ChildProcess | undefined;
let home: string | undefined;

afterEach(() => {
  holder?.kill('SIGKILL');
  holder = undefined;
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

/** A real process holding SQLite's exclusive (fcntl) lock on the gateway's lock coordinator, as a live gateway does. */
function holdGatewayLock(file: string): Promise<ChildProcess> {
  const script = `
    const { DatabaseSync } = require('node:sqlite');
    const db = new DatabaseSync(process.argv[1]);
    db.exec('BEGIN EXCLUSIVE');
    process.stdout.write('locked\\n');
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['-e', script, file], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('locked') && resolve(child));
    child.on('exit', (code) => reject(new Error(`lock holder exited with ${code}`)));
  });
}

describe('restore refuses while the gateway runs', () => {
  it('detects a process holding the gateway lock, refuses with exit 4 even with --force, and changes nothing', async () => {
    home = makeTempDir('ocb-gateway-');
    const { stateDir, archive } = await fixtureWithArchive(home);
    const lockFile = path.join(stateDir, 'tmp/openclaw-0/gateway.1543dd58.lock.sqlite');
    expect((await detectGateway({ stateDir, checkPort: false })).running).toBe(false);

    holder = await holdGatewayLock(lockFile);
    const status = await detectGateway({ stateDir, checkPort: false });
    expect(status).toMatchObject({ running: true, pid: holder.pid });
    expect(status.evidence[0]).toMatch(/pid \d+ holds the gateway lock tmp\/openclaw-0\/gateway\.1543dd58\.lock\.sqlite/);

    const before = snapshotTree(home);
    for (const args of [
      ['restore', archive],
      ['restore', '--force', archive],
      ['restore', '--only', 'config', archive],
    ]) {
      const result = await runCli(args, { env: { HOME: home } });
      expect(result.code, result.stderr).toBe(4);
      expect(result.stderr).toMatch(
        /refusing to restore: the OpenClaw gateway is running on .*\.openclaw \(pid \d+ holds the gateway lock .*\); stop it first/,
      );
    }
    expect(snapshotTree(home)).toEqual(before);

    holder.kill('SIGKILL');
    await new Promise((resolve) => holder?.once('exit', resolve));
    holder = undefined;
    expect((await detectGateway({ stateDir, checkPort: false })).running).toBe(false);
    expect((await runCli(['restore', archive], { env: { HOME: home } })).code).toBe(0);
  });
});
