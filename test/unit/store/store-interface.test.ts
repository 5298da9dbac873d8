import path from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { folderStore } from '../../../src/core/store/folder-store.js';
import type { BackupStore, PreparedWrite } from '../../../src/core/store/types.js';
import { makeTempDir } from '../../helpers/fixture.js';

describe('the store interface', () => {
  it('has no optional members: callers never ask whether a store can do something (checked by npm run typecheck)', () => {
    expectTypeOf<BackupStore>().toEqualTypeOf<Required<BackupStore>>();
    expectTypeOf<Pick<PreparedWrite, 'write' | 'databasesBeside'>>().toEqualTypeOf<
      Required<Pick<PreparedWrite, 'write' | 'databasesBeside'>>
    >();
  });

  it('an archive folder has nothing to init: a usage error naming what to set, in a dry run too', async () => {
    const home = makeTempDir();
    const store = folderStore({ dir: path.join(home, 'backups'), stateDir: path.join(home, '.openclaw'), profile: 'default' });
    for (const options of [{}, { dryRun: true }])
      await expect(store.init(options)).rejects.toMatchObject({
        kind: 'usage',
        message: expect.stringMatching(/no repository to initialise: backups go to the archive folder .*backups; set backup\.repository/),
      });
    expect(await store.find('0123abcd')).toBeUndefined();
    expect(await store.diagnose(new Date())).toEqual([]);
    expect(await store.stats()).toMatchObject({ kind: 'folder', count: 0, storedBytes: null, newest: null });
  });
});
