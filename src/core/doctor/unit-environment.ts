import fs from 'node:fs/promises';

/** Splits a systemd value into words: double/single quotes group, backslash escapes (systemd.syntax(7)). */
function splitWords(value: string): string[] {
  const words: string[] = [];
  let current = '';
  let quote: string | undefined;
  let inWord = false;
  for (let i = 0; i < value.length; i += 1) {
    const ch = value[i] as string;
    if (ch === '\\' && i + 1 < value.length) {
      current += value[i + 1];
      i += 1;
      inWord = true;
    } else if (quote) {
      if (ch === quote) quote = undefined;
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}

function expandSpecifiers(value: string, home: string): string {
  return value.replace(/%%|%h/g, (match) => (match === '%%' ? '%' : home));
}

export interface UnitEnvironment {
  environment: Record<string, string>;
  environmentFiles: string[];
}

/** Environment= and EnvironmentFile= of a unit's [Service] section (%h and %% expanded). */
export function parseUnitEnvironment(unit: string, home: string): UnitEnvironment {
  const environment: Record<string, string> = {};
  const environmentFiles: string[] = [];
  let section = '';
  for (const raw of unit.replace(/\\\r?\n/g, ' ').split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('[') && line.endsWith(']')) section = line.slice(1, -1);
    if (section !== 'Service' || line.startsWith('#') || line.startsWith(';')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (key === 'Environment') {
      for (const word of splitWords(value)) {
        const sep = word.indexOf('=');
        if (sep > 0) environment[word.slice(0, sep)] = expandSpecifiers(word.slice(sep + 1), home);
      }
    } else if (key === 'EnvironmentFile' && value) {
      environmentFiles.push(expandSpecifiers(value.replace(/^-/, ''), home));
    }
  }
  return { environment, environmentFiles };
}

/** KEY=value lines of an env file (systemd EnvironmentFile, OpenClaw's service-env files); quotes removed. */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim().replace(/^export\s+/, '');
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!match) continue;
    const words = splitWords(match[2] as string);
    out[match[1] as string] = words.join(' ');
  }
  return out;
}

export async function readEnvFiles(files: string[]): Promise<Record<string, string>> {
  const merged: Record<string, string> = {};
  for (const file of files) {
    const text = await fs.readFile(file, 'utf8').catch(() => '');
    Object.assign(merged, parseEnvFile(text));
  }
  return merged;
}
