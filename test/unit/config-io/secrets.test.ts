import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffConfigs, formatChanges } from '../../../src/core/config-io/diff-summary.js';
import { findPlaceholders, isSecretKey, mergeBackSecrets, redactSecrets, SECRET_PLACEHOLDER } from '../../../src/core/config-io/secrets.js';
import { hasJson5Comments, rotateConfigBackups } from '../../../src/core/config-io/write-config.js';
import { makeTempDir } from '../../helpers/fixture.js';

describe('the secret rule', () => {
  it.each([
    'apiKey',
    'token',
    'password',
    'secret',
    'clientSecret',
    'botToken',
    'OPENAI_API_KEY',
    'GITHUB_TOKEN',
    'privateKey',
    'passphrase',
    'webhook-secret',
  ])('%s is a secret key', (key) => expect(isSecretKey(key)).toBe(true));
  it.each(['maxTokens', 'contextTokens', 'tokenizer', 'secretRef', 'model', 'keyPrefix', 'tokenFile', 'mode'])('%s is not', (key) =>
    expect(isSecretKey(key)).toBe(false),
  );

  it('redacts string secrets at any depth and in arrays, keeps env references, objects and empty strings', () => {
    const config = {
      gateway: { auth: { mode: 'token', token: 'tok-1' } },
      models: { providers: { a: { apiKey: 'sk-1', models: [{ id: 'm', maxTokens: 10 }] } } },
      channels: [{ botToken: 'bt-1' }],
      env: { OPENAI_API_KEY: '${OPENAI_API_KEY}', EMPTY_TOKEN: '' },
      skills: { x: { apiKey: { source: 'env', id: 'X' } } },
    };
    const { value, paths } = redactSecrets(config);
    expect(paths).toEqual(['gateway.auth.token', 'models.providers.a.apiKey', 'channels[0].botToken']);
    expect(value.gateway.auth).toEqual({ mode: 'token', token: SECRET_PLACEHOLDER });
    expect(value.env).toEqual(config.env);
    expect(value.skills).toEqual(config.skills);
    expect(value.models.providers.a.models[0]!.maxTokens).toBe(10);
    expect(config.gateway.auth.token).toBe('tok-1');
    expect(findPlaceholders(value)).toEqual([
      ['gateway', 'auth', 'token'],
      ['models', 'providers', 'a', 'apiKey'],
      ['channels', 0, 'botToken'],
    ]);
  });

  it('redacts an age identity by its shape, under any key and as an array item, and merges it back', () => {
    const secret = 'AGE-SECRET-KEY-1QYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQS8QQQQQ';
    const config = {
      plugins: { entries: { 'openclaw-backup': { config: { encrypt: { recipients: ['age1abc', secret] } } } } },
      note: secret,
    };
    const { value, paths } = redactSecrets(config);
    expect(paths).toEqual(['plugins.entries.openclaw-backup.config.encrypt.recipients[1]', 'note']);
    expect(JSON.stringify(value)).not.toContain('AGE-SECRET-KEY');
    expect(value.plugins.entries['openclaw-backup'].config.encrypt.recipients[0]).toBe('age1abc');
    expect(mergeBackSecrets(value, config).value).toEqual(config);
  });

  it('merges real values back from the current config and reports the ones it cannot', () => {
    const incoming = { gateway: { auth: { token: SECRET_PLACEHOLDER }, port: 1 }, x: { apiKey: SECRET_PLACEHOLDER } };
    const current = { gateway: { auth: { token: 'real' } }, x: { apiKey: SECRET_PLACEHOLDER } };
    const merged = mergeBackSecrets(incoming, current);
    expect(merged.value.gateway.auth.token).toBe('real');
    expect(merged.kept).toEqual(['gateway.auth.token']);
    expect(merged.missing).toEqual(['x.apiKey']);
  });
});

describe('config import helpers', () => {
  it('finds JSON5 comments outside strings only', () => {
    expect(hasJson5Comments('{ a: 1 // note\n}')).toBe(true);
    expect(hasJson5Comments('{ /* block */ a: 1 }')).toBe(true);
    expect(hasJson5Comments('{ "url": "http://x/y", \'b\': "/*not*/" }')).toBe(false);
    expect(hasJson5Comments('{ "a": "quote \\" // still string" }')).toBe(false);
  });

  it('summarises changes by key path without values', () => {
    const changes = diffConfigs({ a: { b: 1, token: 'x' }, gone: true, list: [1] }, { a: { b: 2, token: 'y' }, added: 1, list: [1] });
    expect(changes).toEqual([
      { path: 'a.b', kind: 'changed' },
      { path: 'a.token', kind: 'changed' },
      { path: 'added', kind: 'added' },
      { path: 'gone', kind: 'removed' },
    ]);
    expect(formatChanges(changes)).toEqual(['  ~ a.b', '  ~ a.token (secret)', '  + added', '  - gone']);
  });

  it('rotates the .bak ring like OpenClaw: .bak → .bak.1 … .bak.4 dropped, current bytes → .bak (0600)', async () => {
    const dir = makeTempDir();
    const config = path.join(dir, 'openclaw.json');
    for (const [name, text] of [
      ['.bak', 'b0'],
      ['.bak.1', 'b1'],
      ['.bak.2', 'b2'],
      ['.bak.3', 'b3'],
      ['.bak.4', 'b4'],
    ])
      fs.writeFileSync(`${config}${name}`, text!);
    await rotateConfigBackups(config, 'current');
    expect(['.bak', '.bak.1', '.bak.2', '.bak.3', '.bak.4'].map((s) => fs.readFileSync(`${config}${s}`, 'utf8'))).toEqual([
      'current',
      'b0',
      'b1',
      'b2',
      'b3',
    ]);
    expect(fs.statSync(`${config}.bak`).mode & 0o777).toBe(0o600);
    expect(fs.existsSync(`${config}.bak.5`)).toBe(false);
  });
});
