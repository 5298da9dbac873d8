import fs from 'node:fs';

/**
 * What to do about a key or password file that failed its check. A loose one needs `chmod 600`; a missing one has to
 * come from where it is kept — the machine that made the backups or a password manager — since no backup holds it
 * (an archive cannot carry the key that opens it).
 */
export function secretFileFix(file: string, what: string): string {
  if (fs.existsSync(file)) return `chmod 600 ${file}`;
  return `${file} does not exist here: copy the ${what} from where you keep it (the old machine, a password manager; no backup holds it) to ${file}, then chmod 600 ${file}`;
}
