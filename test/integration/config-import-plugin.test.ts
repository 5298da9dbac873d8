import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { renderPluginManifest } from '../../src/config/plugin-manifest.js';
import { runCli } from '../helpers/fixture.js';
import { fixtureHome, removeTempHomes, treeState } from '../helpers/migrate.js';

afterEach(() => removeTempHomes());

/** `config import` never writes a backup block that our loader or the plugin's JSON Schema (ours or OpenClaw's copy) rejects. */
describe('config import and the backup block', () => {
  async function exported(block: unknown) {
    const home = await fixtureHome();
    const doc = JSON.parse((await runCli(['config', 'export', '--include-secrets'], { env: home.env })).stdout);
    doc.config.plugins.entries['openclaw-backup'] = { enabled: true, config: block };
    return { ...home, input: JSON.stringify(doc) };
  }

  it('a block our loader rejects is refused (exit 2, naming the key, nothing written)', async () => {
    const h = await exported({ retention: -1 });
    const before = treeState(h.stateDir);
    const result = await runCli(['config', 'import', '-'], { env: h.env, input: h.input });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('plugins.entries["openclaw-backup"].config.retention');
    expect(treeState(h.stateDir)).toEqual(before);
  });

  it("a block OpenClaw's installed (older) copy rejects is refused in OpenClaw's words, also in a dry run", async () => {
    const h = await exported({ retention: 4, quiesce: 'stop' });
    const older = renderPluginManifest() as { configSchema: Record<string, unknown> & { properties: Record<string, unknown> } };
    delete older.configSchema.properties.quiesce;
    older.configSchema.additionalProperties = false;
    const root = path.join(h.stateDir, 'extensions', 'openclaw-backup');
    fs.mkdirSync(root, { recursive: true });
    fs.writeFileSync(path.join(root, 'openclaw.plugin.json'), JSON.stringify(older));
    const before = treeState(h.stateDir);
    for (const args of [
      ['config', 'import', '--dry-run', '-'],
      ['config', 'import', '-'],
    ]) {
      const result = await runCli(args, { env: h.env, input: h.input });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`OpenClaw's copy of the plugin at ${root} rejects it`);
      expect(result.stderr).toContain('plugins.entries["openclaw-backup"].config: must not have additional properties');
    }
    expect(treeState(h.stateDir)).toEqual(before);
  });

  it('a valid block is written', async () => {
    const h = await exported({ retention: { keepDaily: 7 }, compress: 'zstd' });
    const result = await runCli(['config', 'import', '-'], { env: h.env, input: h.input });
    expect(result.code).toBe(0);
    const written = JSON.parse(fs.readFileSync(path.join(h.stateDir, 'openclaw.json'), 'utf8'));
    expect(written.plugins.entries['openclaw-backup'].config).toEqual({ retention: { keepDaily: 7 }, compress: 'zstd' });
  });
});
