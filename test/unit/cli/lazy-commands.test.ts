import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CommandIO } from '../../../src/cli/context.js';
import { COMMAND_NAMES } from '../../../src/cli/commands/index.js';
import { buildProgram } from '../../../src/cli/program.js';

const io = (): CommandIO => {
  const sink = new PassThrough() as unknown as NodeJS.WriteStream;
  return { stdout: sink, stderr: sink, env: {}, signal: new AbortController().signal };
};
const registered = async (args?: string[]) => (await buildProgram(io(), args)).commands.map((c) => c.name());

describe('only the command an argv names is loaded', () => {
  it.each([
    [['verify', 'a.tar'], 'verify'],
    [['--state-dir', '/srv/oc', 'restore', 'latest'], 'restore'],
    [['--state-dir=/srv/oc', '--log-level', 'debug', 'create'], 'create'],
    [['--profile', 'work', '--config', '/x/openclaw.json', 'service', 'install'], 'service'],
    [['state-id', '--continue', 'abc'], 'state-id'],
  ])('%j registers %s alone', async (args, name) => {
    expect(await registered(args)).toEqual([name]);
  });

  it.each([[['-V']], [['--version']], [['--state-dir', '/x', '--version']]])(
    '%j registers no command: it prints the version alone',
    async (args) => {
      expect(await registered(args)).toEqual([]);
    },
  );

  it.each([[[]], [['--help']], [['--help', '-V']], [['help', 'verify']], [['verfy']], [['--state-dir', 'verify']], [['--', 'verify']]])(
    '%j registers every command (help lists them, a typo gets a suggestion)',
    async (args) => {
      expect(await registered(args)).toEqual(COMMAND_NAMES);
    },
  );

  it('without arguments every command is there, in --help order', async () => {
    expect(await registered()).toEqual(COMMAND_NAMES);
    expect(COMMAND_NAMES.slice(0, 3)).toEqual(['create', 'verify', 'sessions']);
  });
});
