import { ageModule } from './age-module.js';

/** A secret key pasted where a public one belongs: said explicitly, never echoed. */
export function describeRecipientProblem(value: string): string | undefined {
  if (/^AGE-SECRET-KEY-/i.test(value.trim())) {
    return 'this is a secret key (an identity), not a recipient: use the public key that `age-keygen -y` prints';
  }
  if (/^(ssh-|ecdsa-)/.test(value)) return 'SSH recipients are not supported: use an age X25519 recipient (age1…)';
  try {
    new (ageModule().Encrypter)().addRecipient(value);
    return undefined;
  } catch {
    return 'expected an age recipient (age1…, from `age-keygen -y`)';
  }
}
