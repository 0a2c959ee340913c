/**
 * What the decoders get checked against what the transforms opened
 * (FrameTransforms.unopenedReceivers): a protected video receiver whose inbound-rtp
 * framesReceived counts frames its transform never saw gets them still sealed
 * (Chromium left a transform set on a receiver after setLocalDescription unapplied:
 * noise in the decoder, 0 frames decrypted, and the lock said "encrypted").
 */
import { describe, expect, it } from 'vitest';
import { isUnopened, UNOPENED_MARGIN_FRAMES } from '../../../renderer/call/e2ee/frameTransforms';
import type { ToWorker } from '../../../renderer/call/e2ee/workerProtocol';
import { setUp } from './fakeFrameWorker';

/** A receiver on the encoded-streams path whose inbound-rtp has counted `received` frames. */
function fakeReceiver(received: number) {
  const receiver = {
    transport: { state: 'connected' } as { state: string } | null,
    received,
    failStats: false,
    createEncodedStreams: () => ({ readable: {}, writable: {} }),
    getStats: async () => {
      if (receiver.failStats) throw new Error('the receiver is gone');
      return new Map([
        ['in', { type: 'inbound-rtp', framesReceived: receiver.received }],
        ['codec', { type: 'codec', mimeType: 'video/VP8' }],
      ]);
    },
  };
  return receiver;
}

const asReceiver = (r: ReturnType<typeof fakeReceiver>) => r as unknown as RTCRtpReceiver;

describe('isUnopened', () => {
  it('allows the worker its reporting lag, and flags a receiver whose transform saw under half its frames', () => {
    expect(isUnopened(0, 0)).toBe(false);
    expect(isUnopened(UNOPENED_MARGIN_FRAMES, 0)).toBe(false);
    expect(isUnopened(UNOPENED_MARGIN_FRAMES + 1, 0)).toBe(true);
    // A transform that sees more than the decoder counts (it dropped frames that did not open) is fine.
    expect(isUnopened(0, 500)).toBe(false);
    expect(isUnopened(3_000, 2_900)).toBe(false);
    expect(isUnopened(3_000, 1_500)).toBe(false);
    expect(isUnopened(3_000, 1_499)).toBe(true);
  });
});

describe('FrameTransforms.unopenedReceivers', () => {
  it('gives each protected receiver its own index in the worker', () => {
    const { worker, transforms } = setUp();
    transforms.protectReceiver(asReceiver(fakeReceiver(0)), 'device-a', 'audio');
    transforms.protectReceiver(asReceiver(fakeReceiver(0)), 'device-a', 'video');
    const indexes = (worker.posted as ToWorker[]).flatMap((m) => (m.op === 'streams' && m.options.role === 'recv' ? [m.options.receiverIndex] : []));
    expect(indexes).toEqual([0, 1]);
  });

  it('a receiver protected again for another device is retargeted in the worker, not given a second transform', () => {
    const { worker, transforms } = setUp();
    const receiver = asReceiver(fakeReceiver(0));
    transforms.protectReceiver(receiver, 'device-a', 'video');
    transforms.protectReceiver(receiver, 'device-a', 'video');
    transforms.protectReceiver(receiver, 'device-b', 'video');
    const posted = (worker.posted as ToWorker[]).filter((m) => m.op === 'streams' || m.op === 'retarget');
    expect(posted.map((m) => m.op)).toEqual(['streams', 'retarget']);
    expect(posted[1]).toEqual({ op: 'retarget', receiverIndex: 0, deviceId: 'device-b' });
  });

  it('counts the video receivers whose frames never reached their transform', async () => {
    const { worker, transforms } = setUp();
    const audio = fakeReceiver(0);
    const opened = fakeReceiver(400);
    const unopened = fakeReceiver(400);
    transforms.protectReceiver(asReceiver(audio), 'device-a', 'audio'); // receiver 0
    transforms.protectReceiver(asReceiver(opened), 'device-a', 'video'); // receiver 1
    transforms.protectReceiver(asReceiver(unopened), 'device-b', 'video'); // receiver 2
    // Receiver 1's transform saw its frames; receiver 2's saw none.
    worker.report({ decrypted: 900, seenByReceiver: { 0: 500, 1: 400 } });
    expect(await transforms.unopenedReceivers()).toBe(1);
    worker.report({ decrypted: 1_300, seenByReceiver: { 0: 500, 1: 400, 2: 400 } });
    expect(await transforms.unopenedReceivers()).toBe(0);
  });

  it('an audio receiver is never judged (its frames are not counted as video frames)', async () => {
    const { worker, transforms } = setUp();
    transforms.protectReceiver(asReceiver(fakeReceiver(5_000)), 'device-a', 'audio');
    worker.report({});
    expect(await transforms.unopenedReceivers()).toBe(0);
  });

  it('a receiver that has not received much yet is not judged, and a closed one is forgotten', async () => {
    const { worker, transforms } = setUp();
    const early = fakeReceiver(UNOPENED_MARGIN_FRAMES);
    transforms.protectReceiver(asReceiver(early), 'device-a', 'video');
    worker.report({});
    expect(await transforms.unopenedReceivers()).toBe(0);
    early.received = 2_000;
    expect(await transforms.unopenedReceivers()).toBe(1);
    early.transport = { state: 'closed' };
    expect(await transforms.unopenedReceivers()).toBe(0);
    // Forgotten, not merely skipped: were its transport to come back, it would not be read.
    early.transport = { state: 'connected' };
    expect(await transforms.unopenedReceivers()).toBe(0);
  });

  it('a receiver whose statistics cannot be read is skipped, not counted', async () => {
    const { worker, transforms } = setUp();
    const gone = fakeReceiver(2_000);
    const unopened = fakeReceiver(2_000);
    transforms.protectReceiver(asReceiver(gone), 'device-a', 'video');
    transforms.protectReceiver(asReceiver(unopened), 'device-b', 'video');
    gone.failStats = true;
    worker.report({});
    expect(await transforms.unopenedReceivers()).toBe(1);
  });

  it('says nothing once the call’s transforms are closed', async () => {
    const { worker, transforms } = setUp();
    transforms.protectReceiver(asReceiver(fakeReceiver(2_000)), 'device-a', 'video');
    worker.report({});
    transforms.close();
    expect(await transforms.unopenedReceivers()).toBe(0);
  });
});
