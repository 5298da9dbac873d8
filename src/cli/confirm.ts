import readline from 'node:readline';
import type { CommandIO } from './context.js';

/** Whether a person is there to answer: stdin and stderr are both terminals. */
export function canAsk(io: CommandIO): boolean {
  return Boolean((io.stdin as NodeJS.ReadStream | undefined)?.isTTY && io.stderr.isTTY);
}

/** Asks a yes/no question on the terminal; anything but y/yes (or an interrupt) is no. */
export async function confirm(io: CommandIO, question: string): Promise<boolean> {
  // Not readline's terminal mode: the terminal itself echoes the answer, and no cursor codes clutter the screen.
  const rl = readline.createInterface({ input: io.stdin ?? process.stdin, output: io.stderr, terminal: false });
  try {
    const answer = await new Promise<string>((resolve) => {
      const onAbort = () => resolve('');
      io.signal.addEventListener('abort', onAbort, { once: true });
      rl.on('close', () => resolve(''));
      rl.question(question, (text) => {
        io.signal.removeEventListener('abort', onAbort);
        resolve(text);
      });
    });
    return /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    rl.close();
  }
}
