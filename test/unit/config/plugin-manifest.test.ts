import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderPluginManifest, renderPluginManifestText } from '../../../src/config/plugin-manifest.js';
import { DEFAULT_BACKUPS_DIR, PLUGIN_ID, ROOT_COMMAND, STATUS_METHOD } from '../../../src/config/plugin-identity.js';
import { REPO_ROOT } from '../../helpers/fixture.js';

type Node = Record<string, unknown>;

/** Every schema node below `node`, with its path. */
function* walk(node: unknown, where = '$'): Generator<[string, Node]> {
  if (Array.isArray(node)) for (const [i, item] of node.entries()) yield* walk(item, `${where}[${i}]`);
  else if (node && typeof node === 'object') {
    yield [where, node as Node];
    for (const [key, value] of Object.entries(node)) yield* walk(value, `${where}.${key}`);
  }
}

describe('openclaw.plugin.json', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    name: string;
    files: string[];
    openclaw?: { extensions?: string[] };
  };

  it('is what the zod schema renders (run npm run docs:config after changing the schema)', () => {
    expect(fs.readFileSync(path.join(REPO_ROOT, 'openclaw.plugin.json'), 'utf8')).toBe(renderPluginManifestText());
  });

  it('names the package, ships in it, and package.json points OpenClaw at the built entry', () => {
    const manifest = renderPluginManifest();
    expect(manifest.id).toBe(PLUGIN_ID);
    expect(pkg.name).toBe(PLUGIN_ID);
    expect(pkg.files).toContain('openclaw.plugin.json');
    expect(pkg.openclaw?.extensions).toEqual(['./dist/plugin/entry.js']);
    expect(fs.existsSync(path.join(REPO_ROOT, 'dist', 'plugin', 'entry.js'))).toBe(true);
  });

  it('forbids no unknown key anywhere, sets no defaults, and every pattern compiles as OpenClaw compiles it (u flag)', () => {
    const configSchema = renderPluginManifest().configSchema;
    for (const [where, node] of walk(configSchema)) {
      if ('properties' in node) expect(node.additionalProperties, `${where} is closed`).toBeUndefined();
      expect('default' in node, `${where} has a default`).toBe(false);
      if (typeof node.pattern === 'string') expect(() => new RegExp(node.pattern as string, 'u'), where).not.toThrow();
      if ('type' in node) expect(typeof node.type, `${where}: one type per node`).toBe('string');
    }
  });

  it('declares our default backups dir regenerable, the root command, and the dashboard binding to the status method', () => {
    const manifest = renderPluginManifest() as Node & {
      backupResources: unknown[];
      cliCommands: Array<{ name: string }>;
      dashboard: { dataBindings: Array<{ method: string }> };
      activation: { onStartup: boolean };
    };
    expect(manifest.backupResources).toEqual([{ disposition: 'regenerable', scope: 'state', relativePath: DEFAULT_BACKUPS_DIR }]);
    expect(manifest.cliCommands.map((c) => c.name)).toEqual([ROOT_COMMAND]);
    expect(ROOT_COMMAND).not.toBe('backup');
    expect(manifest.dashboard.dataBindings.map((b) => b.method)).toEqual([STATUS_METHOD]);
    expect(manifest.activation.onStartup).toBe(true);
  });
});
