import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandHome, resolveStatePaths } from '../../../src/config/paths.js';

const HOME = '/home/ada';

describe('resolveStatePaths', () => {
  it('defaults to ~/.openclaw and its openclaw.json', () => {
    const p = resolveStatePaths({ env: { HOME } });
    expect(p).toMatchObject({
      home: HOME,
      stateDir: '/home/ada/.openclaw',
      configPath: '/home/ada/.openclaw/openclaw.json',
      profile: 'default',
      source: 'default',
    });
  });

  it('uses OPENCLAW_HOME instead of HOME', () => {
    expect(resolveStatePaths({ env: { HOME, OPENCLAW_HOME: '/srv/claw' } }).stateDir).toBe('/srv/claw/.openclaw');
  });

  it('maps --profile work to ~/.openclaw-work and default to ~/.openclaw', () => {
    expect(resolveStatePaths({ env: { HOME }, profile: 'work' })).toMatchObject({
      stateDir: '/home/ada/.openclaw-work',
      profile: 'work',
      source: 'profile',
    });
    expect(resolveStatePaths({ env: { HOME }, profile: 'default' }).stateDir).toBe('/home/ada/.openclaw');
  });

  it('reads OPENCLAW_PROFILE when no flag is given', () => {
    expect(resolveStatePaths({ env: { HOME, OPENCLAW_PROFILE: 'lab' } })).toMatchObject({
      stateDir: '/home/ada/.openclaw-lab',
      profile: 'lab',
    });
  });

  it('prefers --state-dir over OPENCLAW_STATE_DIR over --profile', () => {
    const env = { HOME, OPENCLAW_STATE_DIR: '/data/state' };
    expect(resolveStatePaths({ env, stateDir: '/flag/state', profile: 'work' }).stateDir).toBe('/flag/state');
    expect(resolveStatePaths({ env, profile: 'work' })).toMatchObject({ stateDir: '/data/state', source: 'env' });
  });

  it('derives the profile from a ~/.openclaw-NAME state dir', () => {
    expect(resolveStatePaths({ env: { HOME }, stateDir: '/x/.openclaw-team' }).profile).toBe('team');
  });

  it('takes the config path from --config, then OPENCLAW_CONFIG_PATH', () => {
    const env = { HOME, OPENCLAW_CONFIG_PATH: '~/cfg/openclaw.json5' };
    expect(resolveStatePaths({ env }).configPath).toBe('/home/ada/cfg/openclaw.json5');
    expect(resolveStatePaths({ env, config: '/etc/oc.json' }).configPath).toBe('/etc/oc.json');
  });

  it('rejects a profile name that could escape the home dir', () => {
    expect(() => resolveStatePaths({ env: { HOME }, profile: '../etc' })).toThrow(/invalid profile name/);
  });
});

describe('expandHome', () => {
  it('expands ~ and resolves relative paths against a base', () => {
    expect(expandHome('~', HOME)).toBe(HOME);
    expect(expandHome('~/b', HOME)).toBe('/home/ada/b');
    expect(expandHome('rel/x', HOME, '/base')).toBe(path.resolve('/base', 'rel/x'));
  });
});
