import { buildSelection } from '../components.js';
import { planFollowedLinks } from '../archive/followed-links.js';
import { collectOutsideLinks, describeOutsideLink } from '../archive/outside-links.js';
import { planSources } from '../archive/sources.js';
import { ok, type DoctorCheck, type DoctorFinding } from './types.js';

const ID = 'links';
const MAX_LISTED = 20;

/** Symlinks to directories outside every root: what they point to is not in any backup, as create warns. */
export const checkOutsideLinks: DoctorCheck = async (context) => {
  const config = context.config;
  if (!config) return [];
  const { sources: existing, exclude } = await planSources(context.paths, config);
  const key = `${config.keyPrefix}.followLinks`;
  const followed = await planFollowedLinks(existing, config.backup.followLinks, { paths: context.paths, keyPath: key }, () => {});
  const selection = buildSelection({ include: config.backup.include, exclude: config.backup.exclude, keyPrefix: config.keyPrefix });
  const links = await collectOutsideLinks([...existing, ...followed], selection, {
    excludeAbs: [context.backupDir, ...exclude],
    signal: context.signal,
  });
  if (links.length === 0) return [ok(ID, 'no symlink leads out of the backup')];
  const findings: DoctorFinding[] = links.slice(0, MAX_LISTED).map((link) => ({
    id: ID,
    level: 'warn',
    message: `${describeOutsideLink(link)} (a symlink to a directory outside the backup; only the link is archived)`,
    fix: `to back up what it points to, add "${link.name}" to ${key}`,
  }));
  if (links.length > MAX_LISTED)
    findings.push({ id: ID, level: 'warn', message: `… and ${links.length - MAX_LISTED} more symlinks leading out of the backup` });
  return findings;
};
