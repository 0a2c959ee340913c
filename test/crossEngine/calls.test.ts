/**
 * Calls between Chromium and Firefox ESR, in both directions: who dials decides who
 * makes the first offer, so both offer orders are covered. Video both ways, no RTP
 * while it rings (the calling issue's privacy rule, as test/e2e/privacy.test.ts checks
 * it in Chromium), an audio-only answer, decline and cancel, mute and camera off.
 */
import { describe, expect, it } from 'vitest';
import { SCENARIO_MS, waitUntil } from '../e2e/harness';
import { previewFrames, rtpTotals, type RtpTotals } from '../e2e/media';
import { click, count, gone, inMain, visible, type Engine } from './people';
import { cspViolations, useBothEngines } from './people';
import { acceptTarget, connectCall, dial, expectAudioArriving, expectVideoFrom, headline, tileShown } from './steps';

const engines = useBothEngines();

const DIRECTIONS: [Engine, Engine][] = [
  ['chromium', 'firefox'],
  ['firefox', 'chromium'],
];

describe('the app in Firefox ESR', { timeout: SCENARIO_MS }, () => {
  it('loads with no CSP violation and no page error, and keeps an Ed25519 identity in IndexedDB', async () => {
    const stage = await engines.stage();
    const alice = await stage.open('Alice', 'firefox');
    expect(await cspViolations(alice)).toEqual([]);
    expect(alice.log.filter((line) => /pageerror|Content-Security-Policy|Content Security Policy/i.test(line))).toEqual([]);
    // Firefox ESR has Ed25519 in WebCrypto: the key store keeps the preferred algorithm (P-256 is the fallback).
    expect(await alice.page.evaluate(async () => {
      const pair = await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']);
      return 'privateKey' in pair;
    }, undefined)).toBe(true);
  });
});

describe.each(DIRECTIONS)('a %s caller and a %s callee', { timeout: SCENARIO_MS }, (callerEngine, calleeEngine) => {
  it('connects a video call: each sees the other’s camera and hears them; mute and camera off show on the other side', async () => {
    const stage = await engines.stage();
    const alice = await stage.open('Alice', callerEngine);
    const bob = await stage.open('Bob', calleeEngine);
    await connectCall(alice, bob, 'video');
    await Promise.all([expectVideoFrom(alice, bob), expectVideoFrom(bob, alice), expectAudioArriving(alice), expectAudioArriving(bob)]);

    const callControls = inMain('region', 'Call');
    const muted = { role: 'img' as const, name: 'Alice: microphone muted', within: inMain('region', 'Call') };
    const cameraOff = { role: 'img' as const, name: 'Alice: camera off', within: inMain('region', 'Call') };
    await click(alice, { role: 'button', name: 'Mute microphone', within: callControls });
    await visible(alice, { role: 'button', name: 'Unmute microphone', within: callControls });
    await visible(bob, muted);
    await click(alice, { role: 'button', name: 'Turn camera off', within: callControls });
    await visible(bob, cameraOff);
    await click(alice, { role: 'button', name: 'Unmute microphone', within: callControls });
    await gone(bob, muted);
    await visible(bob, cameraOff);
  });

  it('sends no RTP from either side while it rings, pre-connected with both cameras on; Accept sends both cameras', async () => {
    const stage = await engines.stage();
    const alice = await stage.open('Alice', callerEngine);
    const bob = await stage.open('Bob', calleeEngine);
    await dial(alice, bob, 'video');
    await visible(bob, acceptTarget);
    const connected = (t: RtpTotals): boolean => t.states.length > 0 && t.states.every((s) => s === 'connected');
    for (const person of [alice, bob]) {
      await waitUntil(`${person.label} is pre-connected while it rings`, () => rtpTotals(person.page.probe), connected);
    }
    // A stretch of ringing with the cameras on for the previews, timed by the Chromium
    // side's preview (headless Firefox paints no frame): a camera on a sender would send now.
    const clock = alice.engine === 'chromium' ? alice : bob;
    const start = await previewFrames(clock.page.probe);
    await waitUntil(`${clock.label}'s camera runs on`, () => previewFrames(clock.page.probe), (n) => n >= start + 30);
    for (const person of [alice, bob]) {
      const ringing = await rtpTotals(person.page.probe);
      expect(ringing, `${person.label} while it rings`).toMatchObject({ outboundRtpBytes: 0, outboundRtpPackets: 0 });
      // Not vacuous: the connection is up, it could carry media (Firefox has no transport stats to count its bytes).
      expect(connected(ringing), `${person.label}'s connection is up`).toBe(true);
    }

    await click(bob, acceptTarget);
    await Promise.all([expectVideoFrom(alice, bob), expectVideoFrom(bob, alice)]);
    for (const person of [alice, bob]) {
      expect((await rtpTotals(person.page.probe)).outboundVideoBytes, `${person.label} sends its camera`).toBeGreaterThan(0);
    }
  });

  it('answers a video call with audio only: audio both ways, and the callee’s camera never leaves (not one frame)', async () => {
    const stage = await engines.stage();
    const alice = await stage.open('Alice', callerEngine);
    const bob = await stage.open('Bob', calleeEngine);
    await dial(alice, bob, 'video');
    await click(bob, inMain('button', 'Accept audio only'));
    await tileShown(alice, bob);
    await Promise.all([expectAudioArriving(alice), expectAudioArriving(bob), expectVideoFrom(bob, alice)]);
    const bobSent = await rtpTotals(bob.page.probe);
    expect({ videoBytes: bobSent.outboundVideoBytes, framesEncoded: bobSent.outboundVideoFramesEncoded }).toEqual({ videoBytes: 0, framesEncoded: 0 });
    expect((await rtpTotals(alice.page.probe)).inboundVideoFrames).toBe(0);
  });

  it('declines: the caller is told, the callee is not told that the caller declined', async () => {
    const stage = await engines.stage();
    const alice = await stage.open('Alice', callerEngine);
    const bob = await stage.open('Bob', calleeEngine);
    await dial(alice, bob, 'video');
    await click(bob, inMain('button', 'Decline'));
    await headline(alice, 'Bob declined');
    await headline(bob, 'You declined the call from Alice');
    expect(await count(bob, inMain('heading', 'Alice declined'))).toBe(0);

    // Then Alice calls again and cancels while it rings.
    await click(alice, inMain('button', 'Call again'));
    await visible(bob, acceptTarget);
    await click(alice, inMain('button', 'Cancel'));
    await headline(alice, 'Call cancelled');
    await gone(bob, acceptTarget);
    await headline(bob, 'Missed call from Alice');
  });
});

describe.each(DIRECTIONS)('after a hang-up, a %s caller and a %s callee', { timeout: SCENARIO_MS }, (callerEngine, calleeEngine) => {
  it('both close their connections, and each page still answers (a busy page would time out)', async () => {
    const stage = await engines.stage();
    const alice = await stage.open('Alice', callerEngine);
    const bob = await stage.open('Bob', calleeEngine);
    await connectCall(alice, bob, 'video');
    await click(alice, { role: 'button', name: 'Hang up', within: inMain('region', 'Call') });
    for (const person of [alice, bob]) {
      await waitUntil(
        `${person.label} has no open peer connection`,
        () => person.page.evaluate(() => window.__parleyE2E?.peerConnections().length ?? -1, undefined),
        (n) => n === 0,
      );
    }
    // A fresh person befriends both: their pages must still run the contact steps.
    await stage.open('Carol', 'firefox');
  });
});
