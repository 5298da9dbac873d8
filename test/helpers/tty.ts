import { CLI, cliEnv } from './cli.js';
import { runProcess, type ProcessResult } from './process.js';

/** Runs the built CLI on a pseudo-terminal (expect), `columns` wide, and returns what the terminal received. */
export function runCliInTty(args: string[], env: NodeJS.ProcessEnv, columns = 120): Promise<ProcessResult> {
  const words = [process.execPath, CLI, ...args].map((word) => `{${word}}`).join(' ');
  const script = [
    'set timeout 600',
    `spawn -noecho sh -c {stty cols ${columns} rows 40; exec "$@"} sh ${words}`,
    'expect eof',
    'catch wait result',
    'exit [lindex $result 3]',
  ].join('\n');
  return runProcess('expect', ['-c', script], { env: cliEnv(env), timeoutMs: 600_000 });
}

/** What a person sees at the end: carriage returns and erase-to-end-of-line applied, line by line. */
export function finalScreen(output: string): string[] {
  const lines: string[] = [];
  let line = '';
  let col = 0;
  for (let i = 0; i < output.length; i += 1) {
    const c = output[i] as string;
    if (output.startsWith('\x1b[K', i)) {
      line = line.slice(0, col);
      i += 2;
    } else if (c === '\r') col = 0;
    else if (c === '\n') {
      lines.push(line);
      line = '';
      col = 0;
    } else {
      line = line.slice(0, col) + c + line.slice(col + 1);
      col += 1;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** Every status line drawn (the text after each \r\x1b[K). */
export function drawnLines(output: string): string[] {
  return output
    .split('\r\x1b[K')
    .map((part) => part.split(/[\r\n]/)[0] ?? '')
    .filter(Boolean);
}

/** As runCliInTty, answering the first `[y/N]` question the CLI asks with `answer`. */
export function runCliInTtyAnswering(args: string[], env: NodeJS.ProcessEnv, answer: string, columns = 120): Promise<ProcessResult> {
  const words = [process.execPath, CLI, ...args].map((word) => `{${word}}`).join(' ');
  const script = [
    'set timeout 600',
    `spawn -noecho sh -c {stty cols ${columns} rows 40; exec "$@"} sh ${words}`,
    'expect {\\[y/N\\] }',
    `send {${answer}}`,
    'send "\\r"',
    'expect eof',
    'catch wait result',
    'exit [lindex $result 3]',
  ].join('\n');
  return runProcess('expect', ['-c', script], { env: cliEnv(env), timeoutMs: 600_000 });
}
