import { describe, expect, it } from 'vitest';
import { placeRoots, pathMappings } from '../../../src/core/restore/destinations.js';
import { rewriteConfigPaths } from '../../../src/core/restore/rewrite-config.js';

describe('rewriteConfigPaths', () => {
  const options = {
    mappings: [
      { from: '/home/ada/.openclaw', to: '/root/.openclaw' },
      { from: '/srv/ws', to: '/root/ws' },
    ],
    oldHome: '/home/ada',
    newHome: '/root',
  };

  it('rewrites paths into the old state dir and workspaces, keeping comments and other values', () => {
    const text = `{
  // my agents
  agents: { defaults: { workspace: "/home/ada/.openclaw/workspace" }, entries: { main: { agentDir: '/home/ada/.openclaw/agents/main/agent', workspace: "/srv/ws" } } },
  other: "/home/ada/notes", tilde: "~/.openclaw/workspace", near: "/home/ada/.openclaw-dev/x",
}`;
    const { text: out, rewrites } = rewriteConfigPaths(text, options);
    expect(out).toContain('// my agents');
    expect(out).toContain('workspace: "/root/.openclaw/workspace"');
    expect(out).toContain('agentDir: "/root/.openclaw/agents/main/agent"');
    expect(out).toContain('workspace: "/root/ws"');
    expect(out).toContain('other: "/home/ada/notes"');
    expect(out).toContain('near: "/home/ada/.openclaw-dev/x"');
    expect(out).toContain('tilde: "~/.openclaw/workspace"');
    expect(rewrites.map((r) => r.key)).toEqual([
      'agents.defaults.workspace',
      'agents.entries.main.agentDir',
      'agents.entries.main.workspace',
    ]);
  });

  it('rewrites "~/" values only when they would now point elsewhere; leaves invalid JSON5 alone', () => {
    const moved = { ...options, mappings: [{ from: '/home/ada/.openclaw', to: '/data/oc' }] };
    expect(rewriteConfigPaths('{ w: "~/.openclaw/workspace" }', moved).text).toBe('{ w: "/data/oc/workspace" }');
    expect(rewriteConfigPaths('{ broken', options)).toEqual({ text: '{ broken', rewrites: [] });
  });
});

describe('placeRoots', () => {
  const origin = {
    stateDir: '/home/ada/.openclaw',
    home: '/home/ada',
    roots: [
      { id: 'state', role: 'state' as const, archiveRel: 'state', source: '/home/ada/.openclaw' },
      { id: 'external-1', role: 'workspace' as const, archiveRel: 'external/1', source: '/home/ada/ws' },
      { id: 'external-2', role: 'workspace' as const, archiveRel: 'external/2', source: '/srv/team/ws' },
      { id: 'external-3', role: 'workspace' as const, archiveRel: 'external/3', source: '/mnt/gone/ws' },
    ],
  };
  const dirExists = (dir: string) => dir === '/srv/team';

  it('maps a new home, keeps recorded paths that exist here, and puts the rest under the target', () => {
    const placed = placeRoots(origin, { target: '/root/.openclaw', copy: false, home: '/root', dirExists });
    expect(placed.map((r) => [r.destination, r.placement])).toEqual([
      ['/root/.openclaw', 'target'],
      ['/root/ws', 'new-home'],
      ['/srv/team/ws', 'recorded-path'],
      ['/root/.openclaw/restored-roots/external-3', 'under-target'],
    ]);
    expect(pathMappings(origin, placed)).toEqual([
      { from: '/home/ada/.openclaw', to: '/root/.openclaw' },
      { from: '/home/ada/ws', to: '/root/ws' },
      { from: '/mnt/gone/ws', to: '/root/.openclaw/restored-roots/external-3' },
    ]);
  });

  it('a --target copy writes nothing outside the target', () => {
    const placed = placeRoots(origin, { target: '/tmp/copy', copy: true, home: '/home/ada', dirExists: () => true });
    expect(placed.every((r) => r.destination.startsWith('/tmp/copy'))).toBe(true);
  });
});

describe('placeRoots from the paths the user named', () => {
  it('places a linked root by its link path, maps both spellings, and sends a config kept elsewhere to the config path in use', () => {
    const origin = {
      stateDir: '/home/ada/.openclaw',
      home: '/home/ada',
      roots: [
        { id: 'state', role: 'state' as const, archiveRel: 'state', source: '/data/.openclaw', linkPath: '/home/ada/.openclaw' },
        {
          id: 'external-1',
          role: 'workspace' as const,
          archiveRel: 'external/1',
          source: '/sync/ws',
          linkPath: '/home/ada/.openclaw/workspace',
        },
        { id: 'external-2', role: 'config' as const, archiveRel: 'external/2/cfg.json5', source: '/etc/oc/cfg.json5' },
      ],
    };
    const placed = placeRoots(origin, {
      target: '/root/.openclaw',
      copy: false,
      home: '/root',
      configPath: '/root/cfg/openclaw.json',
      dirExists: () => true,
    });
    expect(placed.map((r) => [r.destination, r.placement])).toEqual([
      ['/root/.openclaw', 'target'],
      ['/root/.openclaw/workspace', 'inside-state'],
      ['/root/cfg/openclaw.json', 'config-path'],
    ]);
    expect(pathMappings(origin, placed)).toEqual([
      { from: '/home/ada/.openclaw', to: '/root/.openclaw' },
      { from: '/data/.openclaw', to: '/root/.openclaw' },
      { from: '/home/ada/.openclaw/workspace', to: '/root/.openclaw/workspace' },
      { from: '/sync/ws', to: '/root/.openclaw/workspace' },
      { from: '/etc/oc/cfg.json5', to: '/root/cfg/openclaw.json' },
    ]);
    const copy = placeRoots(origin, {
      target: '/tmp/copy',
      copy: true,
      home: '/root',
      configPath: '/root/cfg/openclaw.json',
      dirExists: () => true,
    });
    expect(copy[2]?.destination).toBe('/tmp/copy/restored-roots/external-2/cfg.json5');
  });
});
