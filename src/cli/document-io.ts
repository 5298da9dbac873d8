import fs from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, describeFsError } from '../errors.js';
import { writeFileAtomic } from '../core/fs/atomic.js';
import type { CommandIO } from './context.js';

/** Reads an import document from FILE, or from stdin for "-" or no argument. */
export async function readDocumentInput(file: string | undefined, io: CommandIO): Promise<{ text: string; source: string }> {
  if (file && file !== '-') {
    try {
      return { text: await fs.readFile(file, 'utf8'), source: file };
    } catch (error) {
      throw new ConfigError(`cannot read ${file}: ${describeFsError(error)}`, { cause: error });
    }
  }
  const stdin = io.stdin ?? process.stdin;
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return { text: Buffer.concat(chunks).toString('utf8'), source: 'stdin' };
}

/** Prints an export document, or writes it atomically with mode 0600 (it may hold secrets or conversations). */
export async function writeDocumentOutput(document: unknown, output: string | undefined, io: CommandIO): Promise<void> {
  const text = `${JSON.stringify(document, null, 2)}\n`;
  if (!output || output === '-') {
    io.stdout.write(text);
    return;
  }
  try {
    await writeFileAtomic(path.resolve(output), text, 0o600);
  } catch (error) {
    throw new ConfigError(`cannot write ${output}: ${describeFsError(error)}`, { cause: error });
  }
  io.stderr.write(`wrote ${output}\n`);
}
