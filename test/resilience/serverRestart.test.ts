/**
 * Signaling loss is not call loss, in real Chromium: the signaling server goes away
 * mid-call (closed; it says goodbye, and forgets every call), media keeps flowing
 * between the browsers while it is down, and a new server on the same port gets
 * the call back (both pages rejoin it by its id) without a new peer connection; a
 * hang-up afterwards still ends it for both.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { callSection, connectCall, endedHeadline, tileOf } from '../e2e/calls';
import { ensureClientBuilt, SCENARIO_MS, useChromium, visible, waitUntil, type Person } from '../e2e/harness';
import { expectAudioArriving, rtpTotals } from '../e2e/media';
import { createSignalingServer } from '../../signaling-server/index';
import { connectionStates, firstMoment, noteConnections, sameConnections } from './pathChecks';

const chromium = useChromium();

/** Two seconds of Opus (50 packets a second). */
const PACKETS_WHILE_DOWN = 100;

async function keepsReceiving(person: Person): Promise<void> {
  const start = (await rtpTotals(person.page)).inboundAudioPackets;
  await waitUntil(
    `audio keeps arriving at ${person.name} while the server is down (from ${start})`,
    () => rtpTotals(person.page),
    (t) => t.inboundAudioPackets >= start + PACKETS_WHILE_DOWN,
  );
}

async function backInTheCall(person: Person): Promise<boolean> {
  const online = await person.page.getByRole('status', { name: 'Connection: Online' }).isVisible();
  const waiting = await callSection(person).getByText('Reconnecting to the server').count();
  return online && waiting === 0;
}

describe('a call whose signaling server goes away', { timeout: SCENARIO_MS }, () => {
  it('keeps its media flowing while the server is down, is re-attached by the restarted server, and still hangs up', async () => {
    // The restarted server reads the membership key the first one wrote there.
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-restart-'));
    onTestFinished(() => rmSync(dataDir, { recursive: true, force: true }));
    const { server, openPerson } = await chromium.stage({ dataDir });
    const alice = await openPerson('Alice');
    const bob = await openPerson('Bob');
    await connectCall(alice, bob, 'audio');
    await Promise.all([expectAudioArriving(alice), expectAudioArriving(bob)]);
    await Promise.all([noteConnections(alice.page), noteConnections(bob.page)]);

    const { port } = server.address;
    await server.close();
    await Promise.all([
      visible(callSection(alice).getByText('Reconnecting to the server')),
      visible(callSection(bob).getByText('Reconnecting to the server')),
    ]);
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
    await Promise.all([keepsReceiving(alice), keepsReceiving(bob)]);
    expect([...(await connectionStates(alice.page)), ...(await connectionStates(bob.page))]).toEqual(['connected', 'connected']);

    const second = await createSignalingServer({ host: '127.0.0.1', port, clientDir: ensureClientBuilt(), logLevel: 'silent', dataDir });
    try {
      const upAt = Date.now();
      const backAt = await firstMoment(
        'both pages are back in the call on the new server',
        async () => (await backInTheCall(alice)) && (await backInTheCall(bob)),
        30_000,
      );
      console.info(`[resilience] server restart: both pages re-attached ${backAt - upAt} ms after the new server listened`);
      await waitUntil('the new server holds the call again', async () => second.stats().activeCalls, (n) => n === 1);
      await Promise.all([visible(tileOf(alice, bob)), visible(tileOf(bob, alice))]);
      expect(await sameConnections(alice.page)).toBe(true);
      expect(await sameConnections(bob.page)).toBe(true);
      await Promise.all([expectAudioArriving(alice), expectAudioArriving(bob)]);

      await callSection(alice).getByRole('button', { name: 'Hang up' }).click();
      await Promise.all([visible(endedHeadline(alice, /^Call ended/)), visible(endedHeadline(bob, /^Call ended/))]);
      await waitUntil('the new server has no call left', async () => second.stats().activeCalls, (n) => n === 0);
    } finally {
      await second.close();
    }
  });
});
