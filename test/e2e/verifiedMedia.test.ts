/**
 * Media the server cannot intercept (issue 12 item 5), in real Chromium: the pages
 * are served through a relay in front of the real server (tamperingRelay.ts) that
 * rewrites every `a=fingerprint:` in the signaling both ways, as a server sitting in
 * the middle of the DTLS handshake would. Each side checks the other's signature
 * over the fingerprints before it applies an SDP, so both end the call as
 * unverified, and no connection ever comes up. The same relay, relaying faithfully,
 * carries an ordinary call: the relay itself is not what stops the tampered one.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { callSection, connectCall, dial, endedHeadline } from './calls';
import { SCENARIO_MS, useChromium, visible, waitUntil, type Person } from './harness';
import { expectAudioArriving } from './media';
import { startTamperingRelay, type TamperingRelay } from './tamperingRelay';

// Registered before useChromium's, so it runs after it (after-hooks run in reverse): a failed
// test's screens are read while the relay still stands.
let relay: TamperingRelay | null = null;
afterEach(async () => {
  await relay?.close();
  relay = null;
});

const chromium = useChromium();

declare global {
  interface Window {
    /** Set by watchConnections: how many peer connections the page made, and how many ever came up. */
    __verifiedMedia?: { created: number; connected: number };
  }
}

/**
 * Counts the page's peer connections from now on, and those that ever reach
 * 'connected' (ICE and DTLS done: only then can media flow). The call engine
 * constructs RTCPeerConnection when a call starts, so wrapping it now sees them all.
 */
async function watchConnections(person: Person): Promise<void> {
  await person.page.evaluate(() => {
    const Native = window.RTCPeerConnection;
    const seen = { created: 0, connected: 0 };
    window.__verifiedMedia = seen;
    class Watched extends Native {
      constructor(config?: RTCConfiguration) {
        super(config);
        seen.created += 1;
        this.addEventListener('connectionstatechange', () => {
          if (this.connectionState === 'connected') seen.connected += 1;
        });
      }
    }
    window.RTCPeerConnection = Watched;
  });
}

const watched = (person: Person) => person.page.evaluate(() => window.__verifiedMedia ?? { created: -1, connected: -1 });

const UNVERIFIED = 'This call could not be verified';

describe('a relay that rewrites DTLS fingerprints', { timeout: SCENARIO_MS }, () => {
  it('is caught by both sides: each ends the call as unverified, and no connection ever comes up', async () => {
    const stage = await chromium.stage();
    relay = await startTamperingRelay(stage.server.url, { tamper: true });
    const alice = await stage.openPerson('Alice', { url: relay.url });
    const bob = await stage.openPerson('Bob', { url: relay.url });
    await Promise.all([watchConnections(alice), watchConnections(bob)]);

    await dial(alice, bob, 'video');

    await Promise.all([visible(endedHeadline(alice, UNVERIFIED)), visible(endedHeadline(bob, UNVERIFIED))]);
    for (const person of [alice, bob]) {
      await visible(person.main.getByText('Someone may be intercepting it. It was ended to protect you.'));
      // They pre-connect as contacts, so each made a connection — and refused what came through the relay.
      const connections = await watched(person);
      expect(connections.created).toBeGreaterThan(0);
      expect(connections.connected).toBe(0);
      expect(person.log.filter((line) => line.includes('failed its DTLS check'))).not.toEqual([]);
    }
    expect(relay.counts.rewritten).toBeGreaterThan(0);
    expect(relay.counts.rewritten).toBe(relay.counts.seen);
    // Nothing of the call is left on the server: the caller withdrew it.
    await waitUntil('the server holds no call', async () => stage.server.stats().activeCalls, (calls) => calls === 0);
  });

  it('relaying faithfully, the same relay carries an ordinary call with media both ways', async () => {
    const stage = await chromium.stage();
    relay = await startTamperingRelay(stage.server.url, { tamper: false });
    const alice = await stage.openPerson('Alice', { url: relay.url });
    const bob = await stage.openPerson('Bob', { url: relay.url });
    await Promise.all([watchConnections(alice), watchConnections(bob)]);

    await connectCall(alice, bob, 'audio');
    await Promise.all([expectAudioArriving(alice), expectAudioArriving(bob)]);

    expect(relay.counts.seen).toBeGreaterThan(0);
    expect(relay.counts.rewritten).toBe(0);
    for (const person of [alice, bob]) expect((await watched(person)).connected).toBeGreaterThan(0);
    await callSection(alice).getByRole('button', { name: 'Hang up' }).click();
    await Promise.all([visible(endedHeadline(alice, /^Call ended/)), visible(endedHeadline(bob, /^Call ended/))]);
  });
});
