import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveStatePaths } from '../../../src/config/paths.js';
import { createGatewayService } from '../../../src/core/gateway/service.js';
import { gatewayServiceName } from '../../../src/core/service-names.js';
import { loadConfig } from '../../../src/config/load.js';
import { createBackup } from '../../../src/core/backup/create.js';
import { acquireStateLock, lockPathFor } from '../../../src/core/locks/lock.js';
import { silentLog } from '../../../src/core/log.js';
import { makeQuiesce, quiesceFor } from '../../../src/core/locks/quiesce.js';
import { makeTempDir, writeTree } from '../../helpers/fixture.js';

/** A stub `systemctl` first on PATH that records its arguments; `is-active` answers from a state file. */
function stubSystemctl(active: boolean, failStart = false): { env: NodeJS.ProcessEnv; calls: () => string[] } {
  const dir = makeTempDir('ocb-stub-');
  const log = path.join(dir, 'calls.log');
  fs.writeFileSync(
    path.join(dir, 'systemctl'),
    `#!/bin/sh\necho "$*" >> ${log}\ncase "$*" in *is-active*) exit ${active ? 0 : 3};; *start*) exit ${failStart ? 1 : 0};; esac\nexit 0\n`,
    { mode: 0o755 },
  );
  return {
    env: { PATH: `${dir}:${process.env.PATH}` },
    calls: () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : []),
  };
}

/** A stub `systemctl` whose `start` fails until `reset-failed` was called (a unit at its start limit). */
function stubAtStartLimit(): { env: NodeJS.ProcessEnv; calls: () => string[] } {
  const dir = makeTempDir('ocb-stub-');
  const log = path.join(dir, 'calls.log');
  const reset = path.join(dir, 'reset');
  fs.writeFileSync(
    path.join(dir, 'systemctl'),
    `#!/bin/sh\necho "$*" >> ${log}\ncase "$*" in *reset-failed*) touch ${reset}; exit 0;; *start*) [ -e ${reset} ] && exit 0; echo "Job failed: start-limit-hit" >&2; exit 1;; esac\nexit 0\n`,
    { mode: 0o755 },
  );
  return { env: { PATH: `${dir}:${process.env.PATH}` }, calls: () => fs.readFileSync(log, 'utf8').trim().split('\n') };
}

describe('quiesce', () => {
  it('a gateway unit at its start limit is reset and started again, never left down', async () => {
    const stub = stubAtStartLimit();
    const service = createGatewayService({ profile: 'default', home: makeTempDir(), platform: 'linux', env: stub.env });
    await service.start();
    expect(stub.calls()).toEqual([
      '--user start openclaw-gateway.service',
      '--user reset-failed openclaw-gateway.service',
      '--user start openclaw-gateway.service',
    ]);
  });

  it('names the units as OpenClaw does', () => {
    expect(gatewayServiceName('default', 'linux')).toBe('openclaw-gateway.service');
    expect(gatewayServiceName('work', 'linux')).toBe('openclaw-gateway-work.service');
    expect(gatewayServiceName('default', 'darwin')).toBe('ai.openclaw.gateway');
    expect(gatewayServiceName('work', 'darwin')).toBe('ai.openclaw.work');
  });

  it('"lock" holds the state lock for the phase only and records the time held', async () => {
    const home = makeTempDir();
    const paths = resolveStatePaths({ env: { HOME: home } });
    fs.mkdirSync(paths.stateDir);
    const quiesce = makeQuiesce({ mode: 'lock', paths, command: 'test', log: silentLog });
    const held = await quiesce.run(async () => {
      const during = fs.existsSync(lockPathFor(paths.stateDir));
      await new Promise((r) => setTimeout(r, 50));
      return during;
    });
    expect(held).toBe(true);
    expect(fs.existsSync(lockPathFor(paths.stateDir))).toBe(false);
    expect(quiesce.heldMs()).toBeGreaterThanOrEqual(45);
  });

  it('"stop" stops a running gateway unit for the phase and starts it again, also when the phase fails', async () => {
    const home = makeTempDir();
    const paths = resolveStatePaths({ profile: 'work', env: { HOME: home } });
    fs.mkdirSync(paths.stateDir);
    const stub = stubSystemctl(true);
    const service = createGatewayService({ profile: 'work', home, platform: 'linux', env: stub.env });
    const quiesce = makeQuiesce({ mode: 'stop', paths, command: 'test', log: silentLog, service });
    await quiesce.run(async () => {
      expect(stub.calls()).toEqual(['--user is-active --quiet openclaw-gateway-work.service', '--user stop openclaw-gateway-work.service']);
    });
    expect(stub.calls().at(-1)).toBe('--user start openclaw-gateway-work.service');
    await expect(
      quiesce.run(async () => {
        throw new Error('snapshot broke');
      }),
    ).rejects.toThrow('snapshot broke');
    expect(stub.calls().slice(-3)).toEqual([
      '--user is-active --quiet openclaw-gateway-work.service',
      '--user stop openclaw-gateway-work.service',
      '--user start openclaw-gateway-work.service',
    ]);
    expect(fs.existsSync(lockPathFor(paths.stateDir))).toBe(false);
  });

  it('"stop" leaves a gateway that was not running alone, and reports a failed restart', async () => {
    const home = makeTempDir();
    const paths = resolveStatePaths({ env: { HOME: home } });
    fs.mkdirSync(paths.stateDir);
    const idle = stubSystemctl(false);
    const idleService = createGatewayService({ profile: 'default', home, platform: 'linux', env: idle.env });
    await makeQuiesce({ mode: 'stop', paths, command: 'test', log: silentLog, service: idleService }).run(async () => 1);
    expect(idle.calls()).toEqual(['--user is-active --quiet openclaw-gateway.service']);

    const broken = stubSystemctl(true, true);
    const brokenService = createGatewayService({ profile: 'default', home, platform: 'linux', env: broken.env });
    await expect(
      makeQuiesce({ mode: 'stop', paths, command: 'test', log: silentLog, service: brokenService }).run(async () => 1),
    ).rejects.toThrow('systemctl --user start openclaw-gateway.service exited with 1');
    expect(fs.existsSync(lockPathFor(paths.stateDir))).toBe(false);
  });

  it('pauseMs is the time the lock was held: waiting for another holder does not count', async () => {
    const home = makeTempDir();
    const paths = resolveStatePaths({ env: { HOME: home } });
    fs.mkdirSync(paths.stateDir);
    let t = 0;
    const other = await acquireStateLock(paths.stateDir, { command: 'another backup' });
    const quiesce = makeQuiesce({ mode: 'lock', paths, command: 'test', log: silentLog, lockWaitMs: 30_000, now: () => t });
    const running = quiesce.run(async () => {
      t += 250;
    });
    // While it waits, a long time passes; then the other holder lets go.
    t += 60_000;
    await other.release();
    await running;
    expect(quiesce.heldMs()).toBe(250);
  });

  it('createBackup reports what the quiesce measured as pauseMs, the one definition create, run and the daemon share', async () => {
    const home = makeTempDir();
    const paths = resolveStatePaths({ env: { HOME: home } });
    writeTree(paths.stateDir, { 'openclaw.json': '{}', 'workspace/a.md': 'a' });
    const config = await loadConfig(paths);
    let ran = 0;
    const result = await createBackup({ paths, config, quiesce: { run: async (phase) => ((ran += 1), phase()), heldMs: () => 4321 } });
    expect(ran).toBe(1);
    expect(result.pauseMs).toBe(4321);
  });

  it('quiesceFor follows backup.quiesce: "stop" stops and starts the gateway unit of the profile', async () => {
    const home = makeTempDir();
    const paths = resolveStatePaths({ env: { HOME: home } });
    writeTree(paths.stateDir, { 'openclaw.json': JSON.stringify({ backup: { quiesce: 'stop' } }) });
    const stub = stubSystemctl(true);
    const quiesce = quiesceFor({ paths, config: await loadConfig(paths), command: 'test', log: silentLog, env: stub.env });
    await quiesce.run(async () => undefined);
    expect(stub.calls()).toEqual([
      '--user is-active --quiet openclaw-gateway.service',
      '--user stop openclaw-gateway.service',
      '--user start openclaw-gateway.service',
    ]);
  });
});
