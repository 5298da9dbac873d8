import type { EncryptSettings } from '../../config/schema.js';

/** The environment a hook inherits, without the variable that holds the archive passphrase. */
export function withoutPassphraseEnv(env: NodeJS.ProcessEnv, settings: EncryptSettings | undefined): NodeJS.ProcessEnv {
  if (!settings?.passphraseEnv) return env;
  const { [settings.passphraseEnv]: _secret, ...rest } = env;
  return rest;
}

/** The environment without these variables (the repository password's, say): a hook never sees a secret. */
export function withoutSecretEnv(env: NodeJS.ProcessEnv, names: (string | undefined)[]): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const name of names) if (name) delete out[name];
  return out;
}
