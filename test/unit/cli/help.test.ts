import { PassThrough } from 'node:stream';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/cli.js';
import type { CommandIO } from '../../../src/cli/context.js';
import { buildProgram } from '../../../src/cli/program.js';

function captureIo(): { io: CommandIO; out: () => string } {
  let text = '';
  const sink = new PassThrough();
  sink.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const stream = sink as unknown as NodeJS.WriteStream;
  return { io: { stdout: stream, stderr: stream, env: {}, signal: new AbortController().signal }, out: () => text };
}

/** Every command path: "", "create", "config import", … */
function commandPaths(command: Command, prefix: string[] = []): string[][] {
  return [prefix, ...command.commands.flatMap((sub) => commandPaths(sub, [...prefix, sub.name()]))];
}

const paths = commandPaths(await buildProgram(captureIo().io)).filter((p) => p[0] !== 'help');

describe('every --help has an example and ends with the exit codes', () => {
  it.each(paths.map((p) => [p.join(' ') || '(program)', p]))('%s --help', async (_name, path) => {
    const { io, out } = captureIo();
    expect(await runCli(['node', 'openclaw-backup', ...(path as string[]), '--help'], io)).toBe(0);
    const help = out();
    const examples = help.slice(help.indexOf('\nExamples:\n'));
    expect(help).toContain('\nExamples:\n');
    expect(examples).toMatch(new RegExp(`^  \\$ openclaw-backup .*${(path as string[]).join(' ')}`, 'm'));
    expect(help.trimEnd()).toMatch(/Exit codes:\n( {2}\d+ +.+\n)+ {2}130 {2}interrupted \(Ctrl-C \/ SIGTERM\)$/);
    expect(help.match(/Exit codes:/g)).toHaveLength(1);
  });
});
