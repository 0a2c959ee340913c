/**
 * Glare: two people call each other at the same moment. The server merges the two
 * invites into one call and perfect negotiation settles the crossing offers, so
 * both end up in the same, single, connected call.
 *
 * "The same moment" for the protocol means: each presses before hearing of the
 * other's call. Two Playwright clicks are too far apart on loopback for that (the
 * second page is usually already ringing, its call button disabled, and the
 * click lands on nothing), so both people's signaling is held from the server
 * side while they press (signalingGate.ts), as a network's latency would.
 */
import { describe, expect, it } from 'vitest';
import { acceptButton, callButton, tileOf, tiles } from './calls';
import { SCENARIO_MS, useChromium, visible, waitUntil } from './harness';
import { expectVideoFrom } from './media';
import type { SignalingGate } from './signalingGate';

const chromium = useChromium();

function gateOf(person: { name: string; signaling: SignalingGate | null }): SignalingGate {
  if (!person.signaling) throw new Error(`${person.name} was opened without { signalingGate: true }`);
  return person.signaling;
}

describe('glare', { timeout: SCENARIO_MS }, () => {
  it('makes exactly one connected call when Alice and Bob video-call each other at once', async () => {
    const { server, openPerson } = await chromium.stage();
    const alice = await openPerson('Alice', { signalingGate: true });
    const bob = await openPerson('Bob', { signalingGate: true });
    const gates = [gateOf(alice), gateOf(bob)];
    const aliceCalls = callButton(alice, bob, 'video');
    const bobCalls = callButton(bob, alice, 'video');
    await Promise.all([visible(aliceCalls), visible(bobCalls)]);

    gates.forEach((gate) => gate.hold());
    await Promise.all([aliceCalls.click(), bobCalls.click()]);
    await waitUntil(
      'both invites are on their way to the server',
      async () => gates.map((gate) => gate.sentCount('call:invite')),
      (counts) => counts.every((n) => n === 1),
    );
    gates.forEach((gate) => gate.release());

    await Promise.all([visible(tileOf(alice, bob)), visible(tileOf(bob, alice))]);
    await Promise.all([expectVideoFrom(alice, bob), expectVideoFrom(bob, alice)]);
    expect(server.stats().activeCalls).toBe(1);
    for (const person of [alice, bob]) {
      expect(await tiles(person).count()).toBe(1);
      expect(await acceptButton(person).count()).toBe(0);
    }
  });
});
