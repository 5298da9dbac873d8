import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAgeKey, requireAgeCli, type AgeKey } from '../../helpers/age.js';
import { makeFixtureHome, setBackupBlock, type FixtureHome } from '../../helpers/encrypted-fixture.js';
import { callCli } from '../../helpers/cli-in-process.js';

let fx: FixtureHome;
let key: AgeKey;
let backups: string;

beforeAll(() => {
  requireAgeCli();
  fx = makeFixtureHome('ocb-age-run-');
  key = generateAgeKey(fx.root);
  backups = path.join(fx.root, 'backups');
});
afterAll(() => fs.rmSync(fx.root, { recursive: true, force: true }));

const ages = () =>
  fs
    .readdirSync(backups)
    .filter((n) => n.endsWith('.tar.gz.age'))
    .sort();

describe('run, retention and list with encryption', () => {
  it('run encrypts; without an identity it says the archive is not verified, with $OPENCLAW_BACKUP_IDENTITY it verifies; retention counts .age archives', async () => {
    setBackupBlock(fx.stateDir, { path: backups, retention: 2, encrypt: { recipients: [key.recipient] } });
    const blind = await callCli(['run'], { env: fx.env });
    expect(blind.code, blind.stderr).toBe(0);
    expect(`${blind.stdout}${blind.stderr}`).toContain(
      'archive encrypted to recipients and no identity to read it ($OPENCLAW_BACKUP_IDENTITY): not verified',
    );
    for (let i = 0; i < 2; i += 1) {
      const seeing = await callCli(['run'], { env: { ...fx.env, OPENCLAW_BACKUP_IDENTITY: key.identityFile } });
      expect(seeing.code, seeing.stderr).toBe(0);
      expect(`${seeing.stdout}${seeing.stderr}`).toContain('archive verified');
    }
    expect(ages()).toHaveLength(2);
  });

  it('run in passphrase mode verifies with the passphrase it encrypted with', async () => {
    setBackupBlock(fx.stateDir, { path: backups, retention: 5, encrypt: { passphraseEnv: 'OCB_RUN_PASSPHRASE' } });
    const result = await callCli(['run'], { env: { ...fx.env, OCB_RUN_PASSPHRASE: 'dummy run passphrase 0000' } });
    expect(result.code, result.stderr).toBe(0);
    expect(`${result.stdout}${result.stderr}`).toContain('archive verified');
    expect(ages()).toHaveLength(3);
  });

  it('list shows encrypted archives by name and size; --details reads their headers with the key', async () => {
    setBackupBlock(fx.stateDir, { path: backups, encrypt: { recipients: [key.recipient] } });
    const plain = await callCli(['list', '--json'], { env: fx.env });
    expect(plain.code).toBe(0);
    const listed = JSON.parse(plain.stdout) as Array<{ encrypted: boolean; components: unknown; bytes: number }>;
    expect(listed).toHaveLength(3);
    expect(listed.every((a) => a.encrypted && a.components === null && a.bytes > 0)).toBe(true);

    const detailed = await callCli(['list', '--details', '--identity', key.identityFile, '--json'], { env: fx.env });
    expect(detailed.code, detailed.stderr).toBe(0);
    const rows = JSON.parse(detailed.stdout) as Array<{ components: string[] | null; unreadable?: string }>;
    // Two were encrypted to the identity, one with a passphrase.
    expect(rows.filter((r) => r.components?.includes('credentials'))).toHaveLength(2);
    expect(rows.filter((r) => r.unreadable === 'cannot decrypt: it is passphrase-encrypted: pass --passphrase-file')).toHaveLength(1);

    const text = await callCli(['list', '--details', '--identity', key.identityFile], { env: fx.env });
    expect(text.stdout).toMatch(/config,credentials,sessions,memory,workspace,logs,state \(encrypted\)\n/);

    const noKey = await callCli(['list', '--details'], { env: fx.env });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toBe('openclaw-backup: --details: pass --identity or --passphrase-file to read inside encrypted archives\n');
  });
});
