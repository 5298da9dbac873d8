import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { listProfileArchives } from '../../../src/core/doctor/newest-archive.js';
import { makeTempDir } from '../../helpers/fixture.js';

it('orders archives of one second by their -N, whatever the extension (the -1 was made later)', async () => {
  const dir = makeTempDir();
  const names = [
    'openclaw-backup-default-20260601T115959Z.tar.zst',
    'openclaw-backup-default-20260601T120000Z.tar.gz',
    'openclaw-backup-default-20260601T120000Z-1.tar.gz.age',
    'openclaw-backup-default-20260601T120000Z-2.tar',
    'openclaw-backup-work-20260601T130000Z.tar.gz',
  ];
  for (const name of names) fs.writeFileSync(path.join(dir, name), name);
  const listed = await listProfileArchives(dir, 'default');
  expect(listed.map((a) => path.basename(a.path))).toEqual(names.slice(0, 4));
  expect(listed.at(-1)?.encrypted).toBe(false);
  expect(listed[2]?.encrypted).toBe(true);
});
