import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The real `age` CLI (Debian package `age`) is required: these tests prove interoperability with it. */
export function requireAgeCli(): void {
  const probe = spawnSync('age', ['--version'], { encoding: 'utf8' });
  if (probe.status !== 0) throw new Error('the `age` CLI is not installed: apt-get install -y age expect');
}

export interface AgeKey {
  identityFile: string;
  recipient: string;
  secret: string;
}

/** A fresh X25519 key made by `age-keygen`, the identity file mode 0600. */
export function generateAgeKey(dir: string, name = 'key.txt'): AgeKey {
  const identityFile = path.join(dir, name);
  execFileSync('age-keygen', ['-o', identityFile], { stdio: 'pipe' });
  fs.chmodSync(identityFile, 0o600);
  const recipient = execFileSync('age-keygen', ['-y', identityFile], { encoding: 'utf8' }).trim();
  const secret = fs
    .readFileSync(identityFile, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('AGE-SECRET-KEY-')) as string;
  return { identityFile, recipient, secret };
}

export function writeSecretFile(file: string, content: string, mode = 0o600): string {
  fs.writeFileSync(file, content, { mode });
  fs.chmodSync(file, mode);
  return file;
}

/**
 * Runs `age` in passphrase mode under `expect` (age reads passphrases only from a TTY). The passphrase goes
 * through the environment, never argv.
 */
export function runAgeWithPassphrase(args: string[], passphrase: string, prompts = 1): { status: number | null; output: string } {
  const answers = Array.from({ length: prompts }, () => 'expect -re {[Pp]assphrase}\nsend -- "$env(AGE_TEST_PASSPHRASE)\\r"').join('\n');
  const script = `set timeout 120\nspawn age ${args.map((a) => `{${a}}`).join(' ')}\n${answers}\nexpect eof\ncatch wait result\nexit [lindex $result 3]\n`;
  const result = spawnSync('expect', ['-c', script], {
    env: { ...process.env, AGE_TEST_PASSPHRASE: passphrase },
    encoding: 'utf8',
    timeout: 180_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
