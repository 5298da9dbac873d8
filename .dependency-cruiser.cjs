/**
 * Layer rules, checked by `npm test` (npm run lint:deps):
 *   cli → daemon, service, output → run → hooks → core → config → errors (which imports nothing); never upward.
 *   plugin (the OpenClaw entry, loaded inside the gateway) → config/plugin-identity.ts only, and Node built-ins.
 * Inside core, the engine modules (docs/ARCHITECTURE.md) point one way: backup → store → reader → archive → fs;
 * restore, browse and sessions read through reader and store, never the other way. No file cycles here; no cycle
 * between the modules (folders) either: test/unit/architecture/module-graph.test.ts.
 */
const layer = (name) => `^src/${name}(/|\\.ts$)`;
const core = (...names) => names.map((name) => `^src/core/${name}(/|\\.ts$)`);

/** Inside core: each engine module may use only the modules below it. */
function engineModuleRules() {
  const below = (name, comment, allowed) => ({
    name: `${name}-uses-only-what-is-below-it`,
    severity: 'error',
    comment,
    from: { path: core(name) },
    to: { path: '^src/core/', pathNot: core(name, ...allowed) },
  });
  const shared = ['fs', 'components', 'format', 'is-object', 'log', 'progress', 'version', 'sandbox-hint'];
  return [
    below('fs', 'file system helpers: atomic writes, no-follow opens, temp files', []),
    below('crypto', 'age keys and streams: knows nothing of archives', [...shared]),
    below('archive', 'the archive format and its writer (tar, compression, manifest, the walk, database snapshots)', [...shared, 'crypto']),
    below('reader', 'the archive reader: any archive or snapshot as checked entries (verify is the reader run to the end)', [
      ...shared,
      'archive',
      'crypto',
    ]),
    below('store', 'where backups live (an archive folder, a restic repository): writes through archive, reads through reader', [
      ...shared,
      'archive',
      'reader',
      'crypto',
      'locks',
      'identity',
      'status-record',
    ]),
  ];
}
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'modules must not import each other in a cycle', from: {}, to: { circular: true } },
    {
      name: 'errors-import-nothing',
      severity: 'error',
      comment: 'src/errors.ts is the bottom layer',
      from: { path: '^src/errors\\.ts$' },
      to: { path: '^src/' },
    },
    {
      name: 'config-imports-only-errors',
      severity: 'error',
      from: { path: layer('config') },
      to: { path: '^src/', pathNot: ['^src/config/', '^src/errors\\.ts$'] },
    },
    {
      name: 'core-stays-below-the-run-and-hooks',
      severity: 'error',
      comment: 'core never prints, exits or parses argv, and never runs a hook: no imports from the layers above',
      from: { path: '^src/core/' },
      to: { path: [layer('cli'), layer('daemon'), layer('service'), layer('output'), layer('run'), layer('hooks')] },
    },
    {
      name: 'hooks-below-the-run',
      severity: 'error',
      comment: 'a hook is a step of a run: it reads core, the run (src/run) calls it',
      from: { path: layer('hooks') },
      to: { path: [layer('cli'), layer('daemon'), layer('service'), layer('output'), layer('run')] },
    },
    {
      name: 'run-below-cli-and-daemon',
      severity: 'error',
      comment: 'one run cycle for the CLI and the daemon: it knows neither',
      from: { path: layer('run') },
      to: { path: [layer('cli'), layer('daemon'), layer('service'), layer('output')] },
    },
    ...engineModuleRules(),
    { name: 'daemon-below-cli', severity: 'error', from: { path: layer('daemon') }, to: { path: [layer('cli'), layer('service')] } },
    { name: 'service-below-cli', severity: 'error', from: { path: layer('service') }, to: { path: [layer('cli'), layer('daemon')] } },
    { name: 'output-below-cli', severity: 'error', from: { path: layer('output') }, to: { path: [layer('cli'), layer('daemon')] } },
    {
      name: 'plugin-entry-stays-light',
      severity: 'error',
      comment:
        'src/plugin/ runs inside the OpenClaw gateway at load: it imports only itself and the import-free identity module; our CLI runs as a child process',
      from: { path: layer('plugin') },
      to: { path: '^src/', pathNot: ['^src/plugin/', '^src/config/plugin-identity\\.ts$'] },
    },
    {
      name: 'plugin-entry-imports-no-packages',
      severity: 'error',
      comment: 'nothing from node_modules in the gateway process: Node built-ins only',
      from: { path: layer('plugin') },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'plugin-identity-imports-nothing',
      severity: 'error',
      from: { path: '^src/config/plugin-identity\\.ts$' },
      to: {},
    },
    {
      name: 'nothing-imports-the-plugin-entry',
      severity: 'error',
      comment: 'the entry is loaded by OpenClaw only',
      from: { path: '^src/', pathNot: layer('plugin') },
      to: { path: layer('plugin') },
    },
    { name: 'src-never-imports-tests', severity: 'error', from: { path: '^src/' }, to: { path: '^(test|bench)/' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
