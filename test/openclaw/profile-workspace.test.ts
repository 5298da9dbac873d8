import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { backupCliOk } from './harness/backup-cli.js';
import { startFakeModelServer, type FakeModelServer } from './harness/fake-model.js';
import { stopAllGateways } from './harness/gateway.js';
import { migrateAndContinue, snapshotSessions } from './harness/migration.js';
import { configSet, makeHome, offlineModelConfig, onboard, readConfig } from './harness/openclaw.js';
import { freePort } from './harness/process.js';
import { agentTurn } from './harness/sessions.js';
import { recordScenario, scenarioDir, seconds } from './harness/summary.js';

const PROFILE = 'work';
const NOTE = 'projects/agent-workspace/notes/plan.md';

let fake: FakeModelServer;
let root: string;

describe('--profile work with a workspace outside the state dir', () => {
  beforeAll(async () => {
    root = scenarioDir('profile');
    fake = await startFakeModelServer();
  });

  afterAll(async () => {
    await stopAllGateways();
    await fake?.close();
  });

  it('3. backs up and migrates a profile whose workspace lives elsewhere; the gateway runs on the result', async () => {
    const carol = makeHome(inject('openclawE2e'), root, 'carol', PROFILE);
    const workspace = path.join(carol.home, 'projects', 'agent-workspace');
    await onboard(carol, await freePort(), workspace);
    await configSet(carol, offlineModelConfig(fake.baseUrl));
    expect(carol.stateDir).toBe(path.join(carol.home, '.openclaw-work'));
    expect((readConfig(carol).agents as { defaults: { workspace: string } }).defaults.workspace).toBe(workspace);
    fs.mkdirSync(path.dirname(path.join(carol.home, NOTE)), { recursive: true });
    fs.writeFileSync(path.join(carol.home, NOTE), 'the plan lives outside the state dir\n');

    // One session made by the embedded agent (`--local`): this state's own gateway never needs to start.
    const turn = await agentTurn(carol, 'work notes: ship the backup', { local: true, sessionKey: 'agent:main:work-notes' });
    expect(turn.error ?? turn.text).toMatch(/fake reply #\d+/);
    expect(turn.workspaceDir).toBe(workspace);
    const created = await backupCliOk(carol, ['create', '--json']);
    const archive = (JSON.parse(created.stdout) as { archive: string }).archive;
    expect(path.basename(archive)).toMatch(/^openclaw-backup-work-/);
    const source = await snapshotSessions(carol);

    const dave = makeHome(inject('openclawE2e'), root, 'dave', PROFILE);
    const moved = await migrateAndContinue(source, dave, archive, 'agent:main:work-notes');
    const movedWorkspace = path.join(dave.home, 'projects', 'agent-workspace');
    expect(moved.restore.roots.find((r) => r.source === workspace)?.destination).toBe(movedWorkspace);
    expect(fs.readFileSync(path.join(dave.home, NOTE), 'utf8')).toBe('the plan lives outside the state dir\n');
    expect((readConfig(dave) as { agents: { defaults: { workspace: string } } }).agents.defaults.workspace).toBe(movedWorkspace);
    expect(moved.continued.turn.workspaceDir).toBe(movedWorkspace);

    recordScenario({
      scenario: 3,
      title: 'profile + external workspace',
      details: [
        `~/.openclaw-work with its workspace in ~/projects/agent-workspace: restored under ${dave.user}'s home, workspace path remapped`,
        `gateway ready in ${seconds(moved.gatewayStartMs)}; sessions identical (${moved.sessionsCompared}); a new turn continued agent:main:work-notes in the moved workspace`,
      ],
      sessionsCompared: moved.sessionsCompared,
    });
  });
});
