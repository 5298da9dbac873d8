/**
 * Layer rules, checked by `npm test` (npm run lint:deps):
 *   cli → daemon, service, output → core, hooks → config → errors (which imports nothing); never upward, no cycles.
 *   plugin (the OpenClaw entry, loaded inside the gateway) → config/plugin-identity.ts only, and Node built-ins.
 */
const layer = (name) => `^src/${name}(/|\\.ts$)`;
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
      name: 'core-stays-below-cli-daemon-service-output',
      severity: 'error',
      comment: 'core (and hooks) never print, exit or parse argv: no imports from the layers above',
      from: { path: ['^src/core/', '^src/hooks/'] },
      to: { path: [layer('cli'), layer('daemon'), layer('service'), layer('output')] },
    },
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
