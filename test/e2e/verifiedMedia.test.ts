/**
 * Media the server cannot intercept (issue 12 item 5), in real Chromium: the pages
 * are served through a relay in front of the real server (tamperingRelay.ts) that
 * rewrites every `a=fingerprint:` in the signaling both ways, as a server sitting in
 * the middle of the DTLS handshake would. Each side checks the other's signature
 * over the fingerprints before it applies an SDP, so both end the call as
 * unverified, and no connection ever comes up. The same relay, relaying faithfully,
 * carries an ordinary call: the relay itself is not what stops the tampered one.
 *
 * And pre-connecting while it rings (which hands each side the other's addresses)
 * happens between contacts only: a call from someone who is not a contact makes no
 * connection on either side until it is accepted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { answer, callSection, connectCall, dial, endedHeadline, tileOf } from './calls';
import { contactRow, gone, SCENARIO_MS, showsOnline, useChromium, visible, waitUntil, type Person } from './harness';
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
      // A warning, not a passing notice: it does not close by itself.
      await visible(person.main.getByText('Stays until you close it'));
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

describe('pre-connecting while it rings', { timeout: SCENARIO_MS }, () => {
  it('happens between contacts only: a stranger’s call makes no connection on either side until it is accepted', async () => {
    const { openPerson } = await chromium.stage();
    const alice = await openPerson('Alice');
    const carol = await openPerson('Carol');
    // A first call while they are contacts, so that Carol can call back from her History.
    await dial(carol, alice, 'audio');
    await alice.main.getByRole('button', { name: 'Decline', exact: true }).click();
    await visible(endedHeadline(carol, /Alice/));

    // Alice removes Carol: Carol still lists Alice, which is not enough to be her contact.
    await contactRow(alice, carol).getByRole('button', { name: 'Verify Carol' }).click();
    const verify = alice.page.getByRole('dialog', { name: 'Verify Carol' });
    await verify.getByRole('button', { name: 'Remove from contacts' }).click();
    await gone(verify);
    await waitUntil('Carol shows Alice offline', () => showsOnline(carol, alice), (online) => !online);
    await Promise.all([watchConnections(alice), watchConnections(carol)]);

    await carol.page.getByRole('tab', { name: 'History' }).click();
    await carol.page.getByRole('button', { name: 'Call back Alice' }).first().click();
    await visible(alice.main.getByText('Carol is not in your contacts', { exact: false }));
    // Rung, and ringing: on neither side a connection (no ICE candidates, no addresses). Between
    // contacts one is made within milliseconds of the ring; here none comes while it rings on.
    for (let look = 0; look < 10; look += 1) {
      expect([await watched(alice), await watched(carol)]).toEqual([
        { created: 0, connected: 0 },
        { created: 0, connected: 0 },
      ]);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }

    await answer(alice);
    await Promise.all([visible(tileOf(carol, alice)), visible(tileOf(alice, carol))]);
    await waitUntil('both connected once accepted', async () => [await watched(alice), await watched(carol)], (both) => both.every((w) => w.connected > 0));
  });
});

