import type { EncryptSettings } from '../../config/schema.js';

/** The environment a hook inherits, without the variable that holds the archive passphrase. */
export function withoutPassphraseEnv(env: NodeJS.ProcessEnv, settings: EncryptSettings | undefined): NodeJS.ProcessEnv {
  if (!settings?.passphraseEnv) return env;
  const { [settings.passphraseEnv]: _secret, ...rest } = env;
  return rest;
}
