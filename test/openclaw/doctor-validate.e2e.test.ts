import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureOpenClaw } from './harness/install.js';
import { makeTempDir, runCli, unpackFixture } from '../helpers/fixture.js';

/** The real openclaw@2026.9.6 behind an `openclaw` wrapper on PATH, as a global install would put it. */
describe('doctor runs `openclaw config validate` when openclaw is on PATH', () => {
  let bin: string;
  const made: string[] = [];
  beforeAll(() => {
    const install = ensureOpenClaw();
    bin = makeTempDir('ocb-openclaw-bin-');
    made.push(bin);
    fs.writeFileSync(path.join(bin, 'openclaw'), `#!/bin/sh\nexec "${install.node}" "${install.cli}" "$@"\n`, { mode: 0o755 });
  }, 15 * 60_000);
  afterAll(() => {
    for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a config is edited freely, like JSON
  function fixtureWith(edit: (config: Record<string, any>) => void): NodeJS.ProcessEnv {
    const home = makeTempDir('ocb-doctor-oc-');
    made.push(home);
    const stateDir = unpackFixture(home);
    const file = path.join(stateDir, 'openclaw.json');
    const config = JSON.parse(fs.readFileSync(file, 'utf8').replaceAll('/home/openclaw/.openclaw', stateDir));
    edit(config);
    fs.writeFileSync(file, JSON.stringify(config, null, 2), { mode: 0o600 });
    return { HOME: home, PATH: `${bin}:/usr/bin:/bin` };
  }

  it('a top-level backup block is rejected by OpenClaw: error, with the plugin location as the fix', async () => {
    const env = fixtureWith((config) => {
      config.backup = { auto: false, retention: 5 };
    });
    const result = await runCli(['doctor'], { env, timeoutMs: 180_000 });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /^error openclaw-validate: openclaw config validate rejects .*openclaw\.json: <root>: Unrecognized key: "backup"$/m,
    );
    expect(result.stdout).toContain('fix: move the top-level "backup" block to plugins.entries["openclaw-backup"].config');
  }, 200_000);

  it('the plugin location is accepted', async () => {
    const env = fixtureWith((config) => {
      config.plugins.entries['openclaw-backup'] = { config: { auto: false, retention: 5 } };
    });
    const result = await runCli(['doctor'], { env, timeoutMs: 180_000 });
    expect(result.stdout).toMatch(/^ok +openclaw-validate: openclaw config validate accepts .*openclaw\.json/m);
    expect(result.stdout).toMatch(/^ok +backup-block: backup block found at plugins\.entries\["openclaw-backup"\]\.config/m);
    expect(result.code).toBe(0);
  }, 200_000);
});
