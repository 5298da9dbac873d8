import { describe, expect, it } from 'vitest';
import { parseHungLog } from '../../helpers/restic-shim.js';

describe('the restic shim log', () => {
  it('names no PID while the shell has created the file but not yet written its line', () => {
    expect(parseHungLog('')).toEqual([]);
  });

  it('takes only whole lines: a line still being written is not a PID yet', () => {
    expect(parseHungLog('123 unlock\n45')).toEqual([{ pid: 123, command: 'unlock' }]);
    expect(parseHungLog('123 unlock\n456 backup\n')).toEqual([
      { pid: 123, command: 'unlock' },
      { pid: 456, command: 'backup' },
    ]);
  });
});
