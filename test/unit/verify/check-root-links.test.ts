import { describe, expect, it } from 'vitest';
import { configRootsThroughLinks } from '../../../src/core/reader/check-root-links.js';
import type { ScannedEntry } from '../../../src/core/reader/scan-archive.js';

const origin = { stateDir: '/home/u/.openclaw', home: '/home/u', configPath: '/home/u/.openclaw/openclaw.json' };
const prefix = 'openclaw-backup/state';

function entries(list: Array<[string, 'directory' | 'symlink', string?]>): Map<string, ScannedEntry> {
  return new Map(
    list.map(([rel, kind, target]) => [
      `${prefix}/${rel}`,
      { name: `${prefix}/${rel}`, rel, kind, mode: 0o755, mtimeMs: undefined, size: 0, ...(target ? { target } : {}) },
    ]),
  );
}

const config = (workspace: string) => ({ agents: { defaults: { workspace } } });

describe('a configured workspace arriving as a symlink', () => {
  it('is refused when it, a link above it or a chain of links leads out of the state tree', () => {
    const out = configRootsThroughLinks(config('~/.openclaw/ws'), origin, prefix, entries([['ws', 'symlink', '/home/u/.ssh']]));
    expect(out).toMatchObject([
      { path: `${prefix}/ws`, reason: expect.stringContaining('agents.defaults.workspace names /home/u/.openclaw/ws') },
    ]);
    const above = configRootsThroughLinks(config('~/.openclaw/a/ws'), origin, prefix, entries([['a', 'symlink', '../../..']]));
    expect(above).toHaveLength(1);
    const chain = configRootsThroughLinks(
      config('~/.openclaw/ws'),
      origin,
      prefix,
      entries([
        ['ws', 'symlink', 'inner'],
        ['inner', 'symlink', '/etc'],
      ]),
    );
    expect(chain).toMatchObject([{ path: `${prefix}/inner` }]);
    const loop = configRootsThroughLinks(
      config('~/.openclaw/ws'),
      origin,
      prefix,
      entries([
        ['ws', 'symlink', 'ws2'],
        ['ws2', 'symlink', 'ws'],
      ]),
    );
    expect(loop).toHaveLength(1);
  });

  it("is the user's own when the link stays inside the state tree, and a directory is what create stores", () => {
    expect(configRootsThroughLinks(config('~/.openclaw/ws'), origin, prefix, entries([['ws', 'symlink', 'workspaces/main']]))).toEqual([]);
    expect(
      configRootsThroughLinks(config('~/.openclaw/ws'), origin, prefix, entries([['ws', 'symlink', '/home/u/.openclaw/workspaces/main']])),
    ).toEqual([]);
    expect(configRootsThroughLinks(config('~/.openclaw/ws'), origin, prefix, entries([['ws', 'directory']]))).toEqual([]);
    expect(configRootsThroughLinks(config('/elsewhere/ws'), origin, prefix, entries([]))).toEqual([]);
  });
});
