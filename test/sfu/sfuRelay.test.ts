/**
 * The server's SFU relay with real media: Chromium's peer connections (one page,
 * standing in for two devices) publish through the Parley server to a real Janus
 * and subscribe back. Checks the JSEP relay (publisher offer → Janus answer in the
 * ack; subscriber offer → `sfu:offer` with the streams named by device and feed;
 * `sfu:answer`), layer choice, that video really decodes on the subscriber, and
 * that an unpublished feed renegotiates the subscriber.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromiumArgs, launchChromium } from '../support/chromium';
import { startJanus, type JanusInstance } from '../support/janus';
import { cleanup, connectClient, eventually, startServer, type TestClient } from '../server/harness';
import { ackMismatch, eventMismatches } from '../support/schemaRoundTrip';

const WAIT_MS = 60_000;

declare global {
  interface Window {
    pcs: Record<string, RTCPeerConnection>;
  }
}

/** Waits (in the page) until ICE gathering is complete, so the SDP carries every candidate. */
async function gathered(page: Page, name: string): Promise<{ type: 'offer' | 'answer'; sdp: string }> {
  return page.evaluate(async (n) => {
    const pc = window.pcs[n] as RTCPeerConnection;
    if (pc.iceGatheringState !== 'complete') {
      await new Promise<void>((resolve) => {
        const check = (): void => {
          if (pc.iceGatheringState === 'complete') resolve();
        };
        pc.addEventListener('icegatheringstatechange', check);
        setTimeout(resolve, 5_000); // enough candidates by then on a loaded machine
      });
    }
    const d = pc.localDescription as RTCSessionDescription;
    return { type: d.type as 'offer' | 'answer', sdp: d.sdp };
  }, name);
}

describe('SFU relay with Chromium and Janus', () => {
  let janus: JanusInstance;
  let browser: Browser;

  beforeAll(async () => {
    [janus, browser] = await Promise.all([startJanus(), launchChromium(chromiumArgs('fps=15'))]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([janus?.stop(), browser?.close()]);
  });
  afterEach(cleanup);

  it('publishes with simulcast, relays the subscriber offer with its streams, decodes video, adds a later feed, and renegotiates on unpublish', async () => {
    const server = await startServer({ janusUrls: [janus.url] });
    const [a, b, c] = (await Promise.all(['alice', 'bob', 'carol'].map((name) => connectClient(server.url, { name })))) as [TestClient, TestClient, TestClient];
    let callId = '';
    await eventually(async () => {
      const ack = await a.request('call:invite', { to: b.userId, media: 'video', meeting: true });
      // Until the server has reached Janus, a meeting is refused (never made a mesh): ask again.
      if (!ack.ok && ack.error.code === 'sfu_unavailable') return false;
      if (!ack.ok) throw new Error(`${ack.error.code} ${ack.error.message}`);
      callId = ack.call.callId;
      if (ack.call.topology === 'sfu') return true;
      await a.request('call:leave', { callId }); // the server had not reached Janus yet
      await b.next('call:ring-ended', (p) => p.callId === callId);
      return false;
    }, 'a meeting on the SFU', WAIT_MS);
    await b.next('call:incoming', (p) => p.callId === callId);
    expect((await b.request('call:accept', { callId, audio: true, video: true })).ok).toBe(true);
    expect((await a.request('call:invite', { to: c.userId, media: 'video', callId })).ok).toBe(true);
    await c.next('call:incoming', (p) => p.callId === callId);
    expect((await c.request('call:accept', { callId, audio: true, video: true })).ok).toBe(true);

    const page = await browser.newPage();
    // A page on http://127.0.0.1 (a secure context, unlike about:blank): getUserMedia needs one.
    await page.goto(`${server.url}/healthz`);
    // Alice's publisher: camera (fake device) with three simulcast layers, and the microphone.
    await page.evaluate(async () => {
      window.pcs = {};
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 480 } });
      const pc = new RTCPeerConnection();
      window.pcs.pub = pc;
      pc.addTransceiver(stream.getAudioTracks()[0] as MediaStreamTrack, { direction: 'sendonly' });
      pc.addTransceiver(stream.getVideoTracks()[0] as MediaStreamTrack, {
        direction: 'sendonly',
        sendEncodings: [
          { rid: 'h', maxBitrate: 600_000 },
          { rid: 'm', maxBitrate: 200_000, scaleResolutionDownBy: 2 },
          { rid: 'l', maxBitrate: 80_000, scaleResolutionDownBy: 4 },
        ],
      });
      await pc.setLocalDescription(await pc.createOffer());
    });
    const offer = await gathered(page, 'pub');
    expect(offer.sdp).toMatch(/a=simulcast:send/);
    const published = await a.request('sfu:publish', { callId, feed: 'camera', description: { type: 'offer', sdp: offer.sdp } });
    if (!published.ok) throw new Error(`publish: ${published.error.code} ${published.error.message}`);
    expect(published.description.type).toBe('answer');
    expect(published.description.sdp).toMatch(/VP8/i);
    await page.evaluate(async (answer) => window.pcs.pub?.setRemoteDescription(answer), published.description);

    // Bob subscribes: the offer names Alice's camera audio and video.
    const subscribed = await b.request('sfu:subscribe', { callId });
    expect(subscribed.ok ? 'ok' : `${subscribed.error.code}: ${subscribed.error.message}`).toBe('ok');
    const subOffer = await b.next('sfu:offer', (p) => p.callId === callId, WAIT_MS);
    const kinds = subOffer.streams.filter((s) => s.deviceId === a.deviceId && s.feed === 'camera').map((s) => s.kind).sort();
    expect(kinds).toEqual(['audio', 'video']);
    const videoMid = subOffer.streams.find((s) => s.kind === 'video')?.mid as string;

    await page.evaluate(async (o) => {
      const pc = new RTCPeerConnection();
      window.pcs.sub = pc;
      await pc.setRemoteDescription(o);
      await pc.setLocalDescription(await pc.createAnswer());
    }, subOffer.description);
    const subAnswer = await gathered(page, 'sub');
    const answered = await b.request('sfu:answer', { callId, description: { type: 'answer', sdp: subAnswer.sdp } });
    expect(answered.ok ? 'ok' : `${answered.error.code}: ${answered.error.message}`).toBe('ok');
    const layer = await b.request('sfu:layer', { callId, mid: videoMid, substream: 0 });
    expect(layer.ok ? 'ok' : `${layer.error.code}: ${layer.error.message}`).toBe('ok');

    // Video from Alice's camera decodes on Bob's subscriber connection, through Janus.
    await eventually(
      async () =>
        page.evaluate(async () => {
          const stats = await (window.pcs.sub as RTCPeerConnection).getStats();
          let decoded = 0;
          stats.forEach((s: { type: string; kind?: string; framesDecoded?: number }) => {
            if (s.type === 'inbound-rtp' && s.kind === 'video') decoded += s.framesDecoded ?? 0;
          });
          return decoded > 10;
        }),
      'Bob decodes Alice’s video through Janus',
      WAIT_MS,
    );

    // Carol publishes later (audio only): Janus updates Bob's subscriber, whose new offer names both feeds.
    await page.evaluate(async () => {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      const pc = new RTCPeerConnection();
      window.pcs.carol = pc;
      pc.addTransceiver(stream.getAudioTracks()[0] as MediaStreamTrack, { direction: 'sendonly' });
      await pc.setLocalDescription(await pc.createOffer());
    });
    const carolOffer = await gathered(page, 'carol');
    const carolPublished = await c.request('sfu:publish', { callId, feed: 'camera', description: { type: 'offer', sdp: carolOffer.sdp } });
    if (!carolPublished.ok) throw new Error(`publish: ${carolPublished.error.code} ${carolPublished.error.message}`);
    await page.evaluate(async (answer) => window.pcs.carol?.setRemoteDescription(answer), carolPublished.description);
    const updated = await b.next('sfu:offer', (p) => p.callId === callId && p.streams.some((s) => s.deviceId === c.deviceId), WAIT_MS);
    expect(updated.streams.filter((s) => s.deviceId === a.deviceId).map((s) => s.kind).sort()).toEqual(['audio', 'video']);
    expect(updated.streams.filter((s) => s.deviceId === c.deviceId).map((s) => s.kind)).toEqual(['audio']);
    await page.evaluate(async (o) => {
      const pc = window.pcs.sub as RTCPeerConnection;
      await pc.setRemoteDescription(o);
      await pc.setLocalDescription(await pc.createAnswer());
    }, updated.description);
    const reanswered = await b.request('sfu:answer', { callId, description: { type: 'answer', sdp: (await gathered(page, 'sub')).sdp } });
    expect(reanswered.ok ? 'ok' : `${reanswered.error.code}: ${reanswered.error.message}`).toBe('ok');

    // Alice stops her camera: Janus renegotiates Bob's subscriber, and the offer lists no stream of hers.
    const unpublished = await a.request('sfu:unpublish', { callId, feed: 'camera' });
    expect(unpublished.ok).toBe(true);
    const after = await b.next('sfu:offer', (p) => p.callId === callId, WAIT_MS);
    expect(after.streams.filter((s) => s.deviceId === a.deviceId)).toEqual([]);
    expect(after.streams.filter((s) => s.deviceId === c.deviceId).map((s) => s.kind)).toEqual(['audio']);

    // The end of Bob's subscriber candidates, trickled to Janus.
    const trickled = await b.request('sfu:candidate', { callId, target: 'subscriber', candidate: null });
    // What the server sent in this session parses with protocol.ts's schemas, unchanged
    // (test/server/protocolSchemas.test.ts does the same for everything without Janus).
    const sfuAcks = [
      { event: 'sfu:publish', ack: published },
      { event: 'sfu:subscribe', ack: subscribed },
      { event: 'sfu:answer', ack: answered },
      { event: 'sfu:layer', ack: layer },
      { event: 'sfu:publish', ack: carolPublished },
      { event: 'sfu:answer', ack: reanswered },
      { event: 'sfu:unpublish', ack: unpublished },
      { event: 'sfu:candidate', ack: trickled },
    ] as const;
    expect(sfuAcks.flatMap((a) => ackMismatch(a) ?? [])).toEqual([]);
    expect([a, b, c].flatMap(eventMismatches)).toEqual([]);
    expect(b.received.filter((r) => r.event === 'sfu:offer').length).toBeGreaterThanOrEqual(3);
    await page.close();
  }, 180_000);
});
