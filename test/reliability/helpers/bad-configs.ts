/**
 * The bad `backup` block corpus: each block has exactly one fault, and `key` is the key path (after the block's
 * prefix) the error must name.
 */
export interface BadBlock {
  what: string;
  block: unknown;
  key: string;
}

export const BAD_BLOCKS: BadBlock[] = [
  { what: 'auto as a string', block: { auto: 'yes' }, key: 'auto' },
  { what: 'auto as a number', block: { auto: 1 }, key: 'auto' },
  { what: 'schedule that is not cron', block: { schedule: 'every night' }, key: 'schedule' },
  { what: 'schedule with minute 61', block: { schedule: '61 * * * *' }, key: 'schedule' },
  { what: 'schedule with too few fields', block: { schedule: '* *' }, key: 'schedule' },
  { what: 'schedule as a number', block: { schedule: 5 }, key: 'schedule' },
  { what: 'unknown time zone', block: { timezone: 'Mars/Olympus_Mons' }, key: 'timezone' },
  { what: 'time zone as a number', block: { timezone: 2 }, key: 'timezone' },
  { what: 'negative retention', block: { retention: -1 }, key: 'retention' },
  { what: 'zero retention', block: { retention: 0 }, key: 'retention' },
  { what: 'fractional retention', block: { retention: 2.5 }, key: 'retention' },
  { what: 'retention as a string', block: { retention: '7' }, key: 'retention' },
  { what: 'retention policy keeping nothing', block: { retention: {} }, key: 'retention' },
  { what: 'retention policy with keepLast 0 only', block: { retention: { keepLast: 0 } }, key: 'retention' },
  { what: 'negative keepDaily', block: { retention: { keepDaily: -1 } }, key: 'retention.keepDaily' },
  { what: 'keepWeekly as a string', block: { retention: { keepLast: 3, keepWeekly: 'four' } }, key: 'retention.keepWeekly' },
  { what: 'unknown retention key', block: { retention: { keepLast: 3, keepForever: 1 } }, key: 'retention.keepForever' },
  { what: 'empty path', block: { path: '' }, key: 'path' },
  { what: 'path as a number', block: { path: 5 }, key: 'path' },
  { what: 'include as a string', block: { include: 'config' }, key: 'include' },
  { what: 'include with an empty name', block: { include: ['config', ''] }, key: 'include[1]' },
  { what: 'include with a number', block: { include: [3] }, key: 'include[0]' },
  { what: 'exclude as an object', block: { exclude: { logs: true } }, key: 'exclude' },
  { what: 'followLinks as a string', block: { followLinks: 'workspace/memory' }, key: 'followLinks' },
  { what: 'followLinks with an empty path', block: { followLinks: ['workspace/memory', ''] }, key: 'followLinks[1]' },
  { what: 'misspelt component in include', block: { include: ['sesions'] }, key: 'include[0]' },
  { what: 'misspelt component in exclude', block: { exclude: ['logs', 'cahce'] }, key: 'exclude[1]' },
  { what: 'absolute glob in exclude', block: { exclude: ['/home/me/.openclaw/workspace/**'] }, key: 'exclude[0]' },
  { what: 'unbalanced bracket in a glob', block: { include: ['workspace/[draft'] }, key: 'include[0]' },
  { what: 'unknown compression', block: { compress: 'brotli' }, key: 'compress' },
  { what: 'compress as a number', block: { compress: 9 }, key: 'compress' },
  { what: 'empty postBackup', block: { postBackup: '' }, key: 'postBackup' },
  { what: 'postBackup as an array', block: { postBackup: ['rclone', 'copy'] }, key: 'postBackup' },
  { what: 'hookTimeout that is not a duration', block: { hookTimeout: 'forever' }, key: 'hookTimeout' },
  { what: 'negative hookTimeout', block: { hookTimeout: -5 }, key: 'hookTimeout' },
  { what: 'unknown quiesce mode', block: { quiesce: 'freeze' }, key: 'quiesce' },
  { what: 'misspelt key', block: { retentoin: 3 }, key: 'retentoin' },
  { what: 'unknown key beside valid ones', block: { auto: true, schedule: '0 3 * * *', cron: '0 3 * * *' }, key: 'cron' },
  { what: 'malformed age recipient', block: { encrypt: { recipients: ['age1notakey'] } }, key: 'encrypt.recipients[0]' },
  {
    what: 'second recipient malformed',
    block: { encrypt: { recipients: ['age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p', 'ssh-rsa AAAA'] } },
    key: 'encrypt.recipients[1]',
  },
  { what: 'recipient as a number', block: { encrypt: { recipients: [7] } }, key: 'encrypt.recipients[0]' },
  { what: 'empty recipient list', block: { encrypt: { recipients: [] } }, key: 'encrypt.recipients' },
  {
    what: 'two encryption modes at once',
    block: { encrypt: { recipients: ['age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p'], passphraseEnv: 'X' } },
    key: 'encrypt',
  },
];

/** Whole-file faults: the message must name the config file (and, for both locations, both keys). */
export interface BadFile {
  what: string;
  text: string;
  mentions: string[];
}

export const BAD_FILES: BadFile[] = [
  { what: 'unclosed object', text: '{ backup: { retention: 3 }', mentions: ['openclaw.json', 'not valid JSON5'] },
  { what: 'bad number', text: '{ backup: { retention: 03x } }', mentions: ['openclaw.json', 'not valid JSON5'] },
  { what: 'trailing garbage', text: '{ backup: {} } }', mentions: ['openclaw.json', 'not valid JSON5'] },
  { what: 'empty file', text: '', mentions: ['openclaw.json', 'not valid JSON5'] },
  { what: 'unterminated string', text: "{ backup: { path: '/srv/backups } }", mentions: ['openclaw.json', 'not valid JSON5'] },
  { what: 'top level is an array', text: '[{ backup: {} }]', mentions: ['openclaw.json', 'object'] },
  { what: 'backup block is a string', text: '{ backup: "daily" }', mentions: ['backup: expected an object'] },
  { what: 'backup block is an array', text: '{ backup: [1] }', mentions: ['backup: expected an object'] },
  {
    what: 'block in both locations',
    text: '{ backup: { retention: 3 }, plugins: { entries: { "openclaw-backup": { config: { retention: 4 } } } } }',
    mentions: ['"backup"', 'plugins.entries["openclaw-backup"].config'],
  },
];
