/**
 * Layer rules, checked by `npm test` (npm run lint:deps):
 *   cli → daemon, service, output → core, hooks → config → errors (which imports nothing); never upward, no cycles.
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
    { name: 'src-never-imports-tests', severity: 'error', from: { path: '^src/' }, to: { path: '^(test|bench)/' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
