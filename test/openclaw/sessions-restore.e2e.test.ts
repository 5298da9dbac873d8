import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { backupCli, backupCliOk } from './harness/backup-cli.js';
import { startFakeModelServer, type FakeModelServer } from './harness/fake-model.js';
import { nonLoopbackSockets, startGateway, stopAllGateways } from './harness/gateway.js';
import { configSet, makeHome, offlineModelConfig, onboard, openclawOk } from './harness/openclaw.js';
import { freePort } from './harness/process.js';
import { agentTurn, gatewaySessionKeys, listSessions, transcriptCounts, type AgentTurn, type ListedSession } from './harness/sessions.js';
import { recordScenario, scenarioDir, seconds } from './harness/summary.js';

const NOTES = 'agent:main:notes';
const LATER = 'agent:main:later';

let fake: FakeModelServer;
let root: string;

function expectAnswered(turn: AgentTurn): void {
  expect(turn.error ?? turn.text, 'agent turn failed').toMatch(/fake reply #\d+/);
}

describe('one conversation back from a backup, on the real gateway', () => {
  beforeAll(async () => {
    root = scenarioDir('sessions-restore');
    fake = await startFakeModelServer();
  });

  afterAll(async () => {
    await stopAllGateways();
    await fake?.close();
  });

  it('9. a session deleted through the gateway comes back from a backup; later sessions stay; the gateway continues it', async () => {
    const ivy = makeHome(inject('openclawE2e'), root, 'ivy');
    const port = await freePort();
    await onboard(ivy, port);
    await configSet(ivy, offlineModelConfig(fake.baseUrl));
    const gateway = await startGateway(ivy, port);
    let notes: ListedSession | undefined;
    let notesEvents: number;
    let laterEvents: number;
    try {
      expect(nonLoopbackSockets(gateway)).toEqual([]);
      expectAnswered(await agentTurn(ivy, 'main: hello'));
      expectAnswered(await agentTurn(ivy, 'notes: the plan is to ship on Friday', { sessionKey: NOTES }));
      expectAnswered(await agentTurn(ivy, 'notes: and to write the changelog', { sessionKey: NOTES }));

      // The backup is made while the gateway runs, as the daemon makes them.
      const created = await backupCliOk(ivy, ['create', '--json']);
      const archive = (JSON.parse(created.stdout) as { archive: string }).archive;
      notes = (await listSessions(ivy)).find((s) => s.key === NOTES);
      expect(notes).toBeDefined();
      notesEvents = transcriptCounts(ivy.stateDir)[NOTES] ?? 0;
      expect(notesEvents).toBeGreaterThan(0);

      // The user deletes the conversation through the gateway, then starts a new one.
      await openclawOk(ivy, ['sessions', 'delete', NOTES, '--yes', '--json']);
      expect((await listSessions(ivy)).map((s) => s.key)).not.toContain(NOTES);
      expectAnswered(await agentTurn(ivy, 'a new topic after the backup', { sessionKey: LATER }));
      laterEvents = transcriptCounts(ivy.stateDir)[LATER] ?? 0;
      expect(laterEvents).toBeGreaterThan(0);

      const refused = await backupCli(ivy, ['sessions', 'restore', NOTES, '--from', archive]);
      expect(refused.code, refused.stderr).toBe(4);
      expect(refused.stderr).toContain('refusing to restore sessions: the OpenClaw gateway is running');
    } finally {
      await gateway.stop();
    }

    const restored = await backupCliOk(ivy, ['sessions', 'restore', NOTES, '--from', 'latest', '--json']);
    expect(JSON.parse(restored.stdout).sessions).toEqual([
      { key: NOTES, restoredAs: NOTES, agentId: 'main', action: 'added', events: notesEvents, layout: 'sqlite', newStore: false },
    ]);
    expect(transcriptCounts(ivy.stateDir)[NOTES]).toBe(notesEvents);
    expect(transcriptCounts(ivy.stateDir)[LATER]).toBe(laterEvents);

    const again = await startGateway(ivy, port);
    try {
      const listed = await listSessions(ivy);
      expect(listed.find((s) => s.key === NOTES)).toEqual(notes);
      expect(listed.map((s) => s.key)).toEqual(expect.arrayContaining([NOTES, LATER, 'agent:main:main']));
      expect(await gatewaySessionKeys(ivy, port)).toEqual(expect.arrayContaining([NOTES, LATER]));
      const turn = await agentTurn(ivy, 'what was the plan again?', { sessionKey: NOTES });
      expectAnswered(turn);
      expect(turn.sessionId).toBe(notes?.sessionId);
    } finally {
      await again.stop();
    }
    const after = transcriptCounts(ivy.stateDir)[NOTES] ?? 0;
    expect(after).toBeGreaterThan(notesEvents);

    recordScenario({
      scenario: 9,
      title: 'one conversation back',
      details: [
        `${NOTES} deleted through the gateway after a backup made while it ran; ${LATER} started after it`,
        `sessions restore brought back its ${notesEvents} events (refused with exit 4 while the gateway ran); ${LATER} kept; gateway ready in ${seconds(again.startMs)}, listed it and continued it (${notesEvents} → ${after} events)`,
      ],
      sessionsCompared: 1,
    });
  });
});
