/**
 * One or more examples for every command's --help, as restic's and borgmatic's help pages give them: the command
 * as a user types it, and what it does. Keyed by the command's path below the program name.
 */
export const EXAMPLES: Record<string, string[]> = {
  '': [
    'openclaw-backup create                       # back up ~/.openclaw now',
    'openclaw-backup restore latest --dry-run      # what a restore would change',
  ],
  create: [
    'openclaw-backup create                             # into backup.path (default ~/.openclaw/backups)',
    'openclaw-backup create --verify --output ~/       # one verified archive in your home, e.g. to move it',
    'openclaw-backup create --only config,credentials  # just these components',
  ],
  verify: ['openclaw-backup verify latest', 'openclaw-backup verify --identity ~/.config/age/key.txt backup.tar.gz.age'],
  restore: [
    'openclaw-backup restore latest --dry-run                    # what would change; writes nothing',
    'openclaw-backup restore latest                              # the whole state, with a rollback copy',
    "openclaw-backup restore latest --only 'workspace/memory/**'  # some files, over the live state",
    'openclaw-backup restore backup.tar.gz --target /tmp/copy     # a separate copy',
  ],
  run: [
    'openclaw-backup run                 # one scheduled cycle now',
    'openclaw-backup run --quiet         # from cron: crontab line 30 3 * * * openclaw-backup run --quiet',
  ],
  daemon: ['openclaw-backup daemon              # what the service runs; JSON log lines on stdout'],
  list: ['openclaw-backup list', 'openclaw-backup list --details --identity ~/.config/age/key.txt'],
  prune: ['openclaw-backup prune --dry-run', 'openclaw-backup prune --keep-daily 7 --keep-weekly 4'],
  status: ['openclaw-backup status', 'openclaw-backup --profile work status --json'],
  doctor: ['openclaw-backup doctor', 'openclaw-backup doctor --fix       # chmod/chown to you, stale locks'],
  ls: ['openclaw-backup ls latest workspace/memory', 'openclaw-backup ls 2026-11-20 --json'],
  find: ["openclaw-backup find 'memory/*.md'", 'openclaw-backup find MEMORY.md --json'],
  diff: ['openclaw-backup diff 2026-11-20 latest'],
  info: ['openclaw-backup info latest'],
  config: ['openclaw-backup config export -o config.json', 'openclaw-backup config import config.json --dry-run'],
  'config export': [
    'openclaw-backup config export -o config.json            # secrets replaced',
    'openclaw-backup config export --full -o all.json         # with credentials (0600)',
  ],
  'config import': ['openclaw-backup config import config.json --dry-run', 'openclaw-backup config import config.json'],
  sessions: [
    'openclaw-backup sessions list',
    'openclaw-backup sessions export agent:main:main -o s.json',
    'openclaw-backup sessions restore agent:main:notes --from latest --dry-run',
  ],
  'sessions list': [
    'openclaw-backup sessions list --agent main',
    'openclaw-backup sessions list --from latest   # what the newest backup holds',
  ],
  'sessions export': [
    'openclaw-backup sessions export agent:main:main -o s.json',
    'openclaw-backup sessions export --all -o all.json',
    'openclaw-backup sessions export --all --from 2026-11-20',
  ],
  'sessions import': [
    'openclaw-backup sessions import s.json --dry-run',
    'openclaw-backup sessions import s.json --agent ops --on-conflict skip',
  ],
  'sessions restore': [
    'openclaw-backup sessions history agent:main:notes          # which backups hold it, its events in each',
    'openclaw gateway stop',
    'openclaw-backup sessions restore agent:main:notes --from latest --dry-run',
    'openclaw-backup sessions restore agent:main:notes --from 2026-11-20',
    'openclaw-backup sessions restore agent:main:notes --from 2026-11-20 --as notes-before   # keep both',
    'openclaw gateway start',
  ],
  'sessions history': [
    'openclaw-backup sessions history agent:main:notes',
    'openclaw-backup sessions history agent:main:notes --limit 50 --identity ~/.config/openclaw-backup/key.txt',
  ],
  service: ['openclaw-backup service install', 'openclaw-backup service status'],
  'service install': [
    'openclaw-backup service install --dry-run',
    'openclaw-backup --profile work service install',
    'openclaw-backup service install --timer',
  ],
  'service uninstall': ['openclaw-backup service uninstall', 'openclaw-backup service uninstall --timer'],
  'service status': ['openclaw-backup service status --json'],
  repository: ['openclaw-backup repository init'],
  'repository init': [
    'openclaw-backup repository init',
    'openclaw-backup repository init --repository sftp:nas:/srv/restic --repository-password-file ~/pw',
  ],
  dashboard: [
    'openclaw-backup dashboard                          # pin the status widget to agent:main:main',
    'openclaw-backup dashboard --session agent:ops:main',
  ],
  rollbacks: ['openclaw-backup rollbacks', 'openclaw-backup rollbacks remove --dry-run'],
  'rollbacks remove': ['openclaw-backup rollbacks remove --dry-run', 'openclaw-backup rollbacks remove --keep 1'],
};

export function examplesHelp(commandPath: string): string | undefined {
  const lines = EXAMPLES[commandPath];
  return lines ? `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}` : undefined;
}
