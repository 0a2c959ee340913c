/**
 * The lock's word checked against the encoders (FrameTransforms.unsealedSenders): a
 * protected video sender whose encoder counts frames its transform never saw is
 * sending them unsealed (issue 17.4: Chromium left a transform set after an awaited
 * replaceTrack unapplied, and the lock said "encrypted").
 */
import { describe, expect, it } from 'vitest';
import { isUnsealed, UNSEALED_MARGIN_FRAMES } from '../../../renderer/call/e2ee/frameTransforms';
import { setUp } from './fakeFrameWorker';

/** A sender on the encoded-streams path whose encoder has counted `encoded` frames over its layers. */
function fakeSender(layers: number[]) {
  const sender = {
    transport: { state: 'connected' },
    layers,
    createEncodedStreams: () => ({ readable: {}, writable: {} }),
    getStats: async () => new Map(sender.layers.map((frames, i) => [`out${i}`, { type: 'outbound-rtp', framesEncoded: frames }])),
  };
  return sender;
}

describe('isUnsealed', () => {
  it('allows the worker its reporting lag, and flags a sender whose transform saw under half its frames', () => {
    expect(isUnsealed(0, 0)).toBe(false);
    expect(isUnsealed(UNSEALED_MARGIN_FRAMES, 0)).toBe(false);
    expect(isUnsealed(UNSEALED_MARGIN_FRAMES + 1, 0)).toBe(true);
    expect(isUnsealed(3_000, 2_900)).toBe(false);
    expect(isUnsealed(3_000, 1_400)).toBe(true);
  });
});

describe('FrameTransforms.unsealedSenders', () => {
  it('counts the video senders whose encoders send frames their transform never saw', async () => {
    const { worker, transforms } = setUp();
    const audio = fakeSender([0]);
    const sealed = fakeSender([400, 200, 100]);
    const leaking = fakeSender([400, 200, 100]);
    transforms.protectSender(audio as unknown as RTCRtpSender, 'audio'); // stream 0
    transforms.protectSender(sealed as unknown as RTCRtpSender, 'video'); // stream 1
    transforms.protectSender(leaking as unknown as RTCRtpSender, 'video'); // stream 2
    // Stream 1's transform saw its frames; stream 2's saw none.
    worker.report({ encrypted: 690, seenByStream: { 0: 500, 1: 690 } });
    expect(await transforms.unsealedSenders()).toBe(1);
    worker.report({ encrypted: 1_380, seenByStream: { 0: 500, 1: 690, 2: 690 } });
    expect(await transforms.unsealedSenders()).toBe(0);
  });

  it('a sender that has not sent much yet is not judged, and a closed one is forgotten', async () => {
    const { worker, transforms } = setUp();
    const early = fakeSender([60, 30, 15]);
    transforms.protectSender(early as unknown as RTCRtpSender, 'video');
    worker.report({});
    expect(await transforms.unsealedSenders()).toBe(0);
    early.layers = [4_000, 2_000, 1_000];
    expect(await transforms.unsealedSenders()).toBe(1);
    early.transport.state = 'closed';
    expect(await transforms.unsealedSenders()).toBe(0);
  });
});
