/**
 * A page for the Chromium test of frame encryption (frameTransforms.browser.test.ts):
 * two plain RTCPeerConnections on one page, the camera sent VP8 from one to the other
 * through the app's own FrameTransforms and frame worker, bundled by Vite as the app
 * bundles them and served under the app's CSP.
 */
import { importMediaKey, newRawMediaKey } from '../../../renderer/call/e2ee/callKeys';
import { emptyCounts, type FrameCounts } from '../../../renderer/call/e2ee/frameCrypto';
import { FrameTransforms, isUnopened, peerConnectionConfig, UNOPENED_MARGIN_FRAMES, transformSupport, type TransformMode } from '../../../renderer/call/e2ee/frameTransforms';
import { createSfuE2ee, type SfuE2ee } from '../../../renderer/call/e2ee/sfuE2ee';
import type { CallE2eeStatus } from '../../../renderer/call/e2ee/callE2ee';
import { deviceIdentity, type DeviceIdentity } from '../../../renderer/identity/deviceIdentity';
import { setLogSink } from '../../../renderer/log';
import type { LogEntry } from '../../../preload/contract';
import { deviceCertMessage, exportPublicKey, generateKeyPair, idOfKey, sign } from '../../../signaling-server/identity';
import { signalDataSchema } from '../../../signaling-server/protocol';

export interface RunOptions {
  mode: TransformMode;
  /**
   * The receiving side: with the sender's key, with no key, or with no transform at
   * all (a raw subscriber); or `retargeted`: hooked first for a device that left
   * (whose key it lacks), and halfway through for the sender (the media server
   * reused the m-line), as the SFU session hooks a reused receiver again.
   */
  receiver: 'keyed' | 'keyless' | 'raw' | 'retargeted';
  /** How long to let media flow, ms. */
  flowMs: number;
}

export interface RunResult {
  framesDecoded: number;
  framesReceived: number;
  bytesReceived: number;
  keyFramesDecoded: number;
  sent: FrameCounts;
  received: FrameCounts;
  /** A few leading bytes of the frames seen on the wire side of the receiver (to compare headers). */
  codec: string | null;
}

/** One receiver of the late-hook run: its decoder's counts and what its transform saw. */
export interface HookedReceiver {
  hooked: 'before-answer' | 'after-answer';
  /** receiver.transform was set (what the app could see before this check). */
  transformSet: boolean;
  framesReceived: number;
  framesDecoded: number;
  keyFramesDecoded: number;
  /** Frames the worker reported its transform saw. */
  seen: number;
  /** isUnopened(framesReceived, seen). */
  unopened: boolean;
}

export interface LateReceiverResult {
  receivers: HookedReceiver[];
  /** FrameTransforms.unopenedReceivers() at the end. */
  unopenedReceivers: number;
  received: FrameCounts;
}

export interface KeyedCallResult {
  framesDecoded: number;
  sender: CallE2eeStatus | null;
  receiver: CallE2eeStatus | null;
  /** The error lines the app logged during the call (both devices). */
  errors: LogEntry[];
}

export interface KeyedCallOptions {
  mode: TransformMode;
  flowMs: number;
  /**
   * When the receiving device's hook protects its receiver: as its track arrives, before
   * the answer (the SFU session since b29cd34), or after setLocalDescription (before it).
   * after-answer: media flows until the receiving device's status reports an unopened
   * receiver, `flowMs` at most.
   */
  hook?: 'before-answer' | 'after-answer';
}

declare global {
  interface Window {
    e2eeSupport: () => { preferred: TransformMode | null; scriptTransform: boolean; encodedStreams: boolean };
    runE2ee: (options: RunOptions) => Promise<RunResult>;
    runKeyedCall: (options: KeyedCallOptions) => Promise<KeyedCallResult>;
    runLateReceiver: (options: { mode: TransformMode; flowMs: number }) => Promise<LateReceiverResult>;
  }
}

window.e2eeSupport = () => ({
  preferred: transformSupport(),
  scriptTransform: typeof (globalThis as { RTCRtpScriptTransform?: unknown }).RTCRtpScriptTransform === 'function',
  encodedStreams: typeof (RTCRtpSender.prototype as { createEncodedStreams?: unknown }).createEncodedStreams === 'function',
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

window.runE2ee = async ({ mode, receiver, flowMs }) => {
  const config = { ...peerConnectionConfig(mode) } as RTCConfiguration;
  const a = new RTCPeerConnection(config);
  // A raw subscriber is a plain connection: no transform, no encoded streams.
  const b = new RTCPeerConnection(receiver === 'raw' ? {} : config);
  const sendSide = new FrameTransforms({ mode, graceMs: 5_000 });
  const receiveSide = receiver === 'raw' ? null : new FrameTransforms({ mode, graceMs: 5_000 });
  const key = await importMediaKey(newRawMediaKey());
  a.onicecandidate = (e) => void b.addIceCandidate(e.candidate ?? undefined);
  b.onicecandidate = (e) => void a.addIceCandidate(e.candidate ?? undefined);
  let received: RTCRtpReceiver | null = null;
  b.ontrack = (e) => {
    received = e.receiver;
    receiveSide?.protectReceiver(e.receiver, receiver === 'retargeted' ? 'device-gone' : 'device-a', 'video');
  };
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 320, height: 240, frameRate: 15 } });
  const track = stream.getVideoTracks()[0] as MediaStreamTrack;
  const transceiver = a.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
  const vp8 = (RTCRtpSender.getCapabilities('video')?.codecs ?? []).filter((c) => c.mimeType.toLowerCase() === 'video/vp8');
  transceiver.setCodecPreferences(vp8);
  sendSide.protectSender(transceiver.sender, 'video');
  sendSide.setSendKey(1, key);
  if (receiver === 'keyed' || receiver === 'retargeted') receiveSide?.setReceiveKey('device-a', 1, key);
  await a.setLocalDescription();
  await b.setRemoteDescription(a.localDescription as RTCSessionDescription);
  await b.setLocalDescription();
  await a.setRemoteDescription(b.localDescription as RTCSessionDescription);
  if (receiver === 'retargeted') {
    await sleep(flowMs / 2);
    const before = receiveSide?.counts() ?? emptyCounts();
    if (before.decrypted > 0) throw new Error(`frames of device-a opened while the receiver was hooked for device-gone (${before.decrypted})`);
    if (received) receiveSide?.protectReceiver(received, 'device-a', 'video');
    await sleep(flowMs / 2);
  } else {
    await sleep(flowMs);
  }
  let result: RunResult = {
    framesDecoded: 0,
    framesReceived: 0,
    bytesReceived: 0,
    keyFramesDecoded: 0,
    sent: sendSide.counts(),
    received: receiveSide?.counts() ?? emptyCounts(),
    codec: null,
  };
  const stats = await b.getStats();
  const codecs = new Map<string, string>();
  stats.forEach((s: { type: string; id: string; mimeType?: string }) => {
    if (s.type === 'codec' && s.mimeType) codecs.set(s.id, s.mimeType);
  });
  stats.forEach((s: { type: string; kind?: string; framesDecoded?: number; framesReceived?: number; bytesReceived?: number; keyFramesDecoded?: number; codecId?: string }) => {
    if (s.type !== 'inbound-rtp' || s.kind !== 'video') return;
    result = {
      ...result,
      framesDecoded: s.framesDecoded ?? 0,
      framesReceived: s.framesReceived ?? 0,
      bytesReceived: s.bytesReceived ?? 0,
      keyFramesDecoded: s.keyFramesDecoded ?? 0,
      codec: s.codecId ? (codecs.get(s.codecId) ?? null) : null,
    };
  });
  track.stop();
  a.close();
  b.close();
  sendSide.close();
  receiveSide?.close();
  return result;
};

/** A device of a new user, made in this page the way the key store makes one. */
async function newDevice(): Promise<DeviceIdentity> {
  const user = await generateKeyPair();
  const userKey = await exportPublicKey(user.pair.publicKey, user.alg);
  const userId = await idOfKey(userKey);
  const device = await generateKeyPair(user.alg);
  const deviceKey = await exportPublicKey(device.pair.publicKey, device.alg);
  const deviceCert = await sign(user.pair.privateKey, user.alg, deviceCertMessage(userId, deviceKey));
  return deviceIdentity({
    userId,
    deviceId: await idOfKey(deviceKey),
    credential: { userKey, deviceKey, deviceCert },
    device: { privateKey: device.pair.privateKey, alg: device.alg },
    user: null,
  });
}

/**
 * Two devices of an SFU call, each with the app's createSfuE2ee, keys exchanged over
 * an in-page relay that checks every message against the protocol schema as the
 * server does; camera video from the first to the second through their hooks.
 */
window.runKeyedCall = async ({ mode, flowMs, hook = 'before-answer' }) => {
  const callId = `call-keyed-${hook}`;
  const errors: LogEntry[] = [];
  const unsink = setLogSink((entry) => {
    if (entry.level === 'error') errors.push(entry);
    console.log(`[${entry.level}] ${entry.scope}: ${entry.message}`);
  });
  const [ida, idb] = await Promise.all([newDevice(), newDevice()]);
  const devices = new Map<string, SfuE2ee>();
  const relay = (from: string) => (id: string, to: string, e2ee: unknown) => {
    const data = signalDataSchema.parse({ kind: 'e2ee', e2ee });
    setTimeout(() => {
      if (data.kind === 'e2ee') devices.get(to)?.handleSignal(id, from, data.e2ee);
    }, 5);
    return Promise.resolve();
  };
  const ea = createSfuE2ee({ identity: ida, send: relay(ida.deviceId), mode });
  const eb = createSfuE2ee({ identity: idb, send: relay(idb.deviceId), mode });
  devices.set(ida.deviceId, ea);
  devices.set(idb.deviceId, eb);
  ea.follow({ callId, members: [{ userId: idb.userId, deviceId: idb.deviceId }] });
  eb.follow({ callId, members: [{ userId: ida.userId, deviceId: ida.deviceId }] });
  const a = new RTCPeerConnection({ ...ea.peerConnectionConfig() } as RTCConfiguration);
  const b = new RTCPeerConnection({ ...eb.peerConnectionConfig() } as RTCConfiguration);
  a.onicecandidate = (e) => void b.addIceCandidate(e.candidate ?? undefined);
  b.onicecandidate = (e) => void a.addIceCandidate(e.candidate ?? undefined);
  const late: RTCRtpReceiver[] = [];
  b.ontrack = (e) => {
    if (hook === 'after-answer') late.push(e.receiver);
    else eb.hooks.receiver(e.receiver, { deviceId: ida.deviceId, kind: 'video' });
  };
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 320, height: 240, frameRate: 15 } });
  const track = stream.getVideoTracks()[0] as MediaStreamTrack;
  const transceiver = a.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
  transceiver.setCodecPreferences((RTCRtpSender.getCapabilities('video')?.codecs ?? []).filter((c) => c.mimeType.toLowerCase() === 'video/vp8'));
  ea.hooks.sender(transceiver.sender, 'camera', 'video');
  await a.setLocalDescription();
  await b.setRemoteDescription(a.localDescription as RTCSessionDescription);
  await b.setLocalDescription();
  for (const receiver of late) eb.hooks.receiver(receiver, { deviceId: ida.deviceId, kind: 'video' });
  await a.setRemoteDescription(b.localDescription as RTCSessionDescription);
  if (hook === 'before-answer') await sleep(flowMs);
  else {
    const until = performance.now() + flowMs;
    while (performance.now() < until && (eb.current()?.status().unopenedReceivers ?? 0) === 0) await sleep(500);
    // One more check (every 3 s) after the first finding: the error is logged once.
    await sleep(3_500);
  }
  let framesDecoded = 0;
  (await b.getStats()).forEach((s: { type: string; kind?: string; framesDecoded?: number }) => {
    if (s.type === 'inbound-rtp' && s.kind === 'video') framesDecoded = s.framesDecoded ?? 0;
  });
  const result: KeyedCallResult = { framesDecoded, sender: ea.current()?.status() ?? null, receiver: eb.current()?.status() ?? null, errors };
  track.stop();
  a.close();
  b.close();
  ea.dispose();
  eb.dispose();
  unsink();
  return result;
};

/**
 * Two camera streams from one connection to another, both sealed, the receiving side
 * keyed: the first receiver's transform is set as its track arrives (before the answer,
 * as the SFU session does since b29cd34), the second's only after setLocalDescription
 * (as it did before). Then FrameTransforms.unopenedReceivers() is asked which of them
 * get frames their transform never saw. Media flows until every receiver has had twice
 * the check's margin of frames (or `flowMs` at most, on a loaded machine), then the
 * worker is given time for one more report.
 */
window.runLateReceiver = async ({ mode, flowMs }) => {
  const config = { ...peerConnectionConfig(mode) } as RTCConfiguration;
  const a = new RTCPeerConnection(config);
  const b = new RTCPeerConnection(config);
  const sendSide = new FrameTransforms({ mode, graceMs: 5_000 });
  const receiveSide = new FrameTransforms({ mode, graceMs: 5_000 });
  const key = await importMediaKey(newRawMediaKey());
  a.onicecandidate = (e) => void b.addIceCandidate(e.candidate ?? undefined);
  b.onicecandidate = (e) => void a.addIceCandidate(e.candidate ?? undefined);
  const hooked: { receiver: RTCRtpReceiver; hooked: HookedReceiver['hooked'] }[] = [];
  const late: RTCRtpReceiver[] = [];
  b.ontrack = (e) => {
    if (hooked.length === 0) {
      receiveSide.protectReceiver(e.receiver, 'device-a', 'video');
      hooked.push({ receiver: e.receiver, hooked: 'before-answer' });
    } else {
      late.push(e.receiver);
    }
  };
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 320, height: 240, frameRate: 15 } });
  const track = stream.getVideoTracks()[0] as MediaStreamTrack;
  const second = track.clone();
  const vp8 = (RTCRtpSender.getCapabilities('video')?.codecs ?? []).filter((c) => c.mimeType.toLowerCase() === 'video/vp8');
  for (const t of [track, second]) {
    const transceiver = a.addTransceiver(t, { direction: 'sendonly', streams: [new MediaStream([t])] });
    transceiver.setCodecPreferences(vp8);
    sendSide.protectSender(transceiver.sender, 'video');
  }
  sendSide.setSendKey(1, key);
  receiveSide.setReceiveKey('device-a', 1, key);
  await a.setLocalDescription();
  await b.setRemoteDescription(a.localDescription as RTCSessionDescription);
  await b.setLocalDescription();
  // The late hook: right after the answer is made, before it is sent.
  for (const receiver of late) {
    receiveSide.protectReceiver(receiver, 'device-a', 'video');
    hooked.push({ receiver, hooked: 'after-answer' });
  }
  await a.setRemoteDescription(b.localDescription as RTCSessionDescription);
  const framesReceived = async (receiver: RTCRtpReceiver): Promise<number> => {
    let frames = 0;
    (await receiver.getStats()).forEach((s: { type: string; framesReceived?: number }) => {
      if (s.type === 'inbound-rtp') frames = s.framesReceived ?? 0;
    });
    return frames;
  };
  const until = performance.now() + flowMs;
  while (performance.now() < until) {
    await sleep(500);
    const frames = await Promise.all(hooked.map((h) => framesReceived(h.receiver)));
    if (frames.every((f) => f > 2 * UNOPENED_MARGIN_FRAMES)) break;
  }
  await sleep(1_500);
  const unopenedReceivers = await receiveSide.unopenedReceivers();
  const received = receiveSide.counts();
  const receivers: HookedReceiver[] = [];
  // Receiver indexes are given in the order the receivers were protected.
  for (const [index, { receiver, hooked: when }] of hooked.entries()) {
    let inbound = { framesReceived: 0, framesDecoded: 0, keyFramesDecoded: 0 };
    (await receiver.getStats()).forEach((s: { type: string; framesReceived?: number; framesDecoded?: number; keyFramesDecoded?: number }) => {
      if (s.type === 'inbound-rtp') inbound = { framesReceived: s.framesReceived ?? 0, framesDecoded: s.framesDecoded ?? 0, keyFramesDecoded: s.keyFramesDecoded ?? 0 };
    });
    const seen = received.seenByReceiver[index] ?? 0;
    receivers.push({ hooked: when, transformSet: Boolean(receiver.transform), ...inbound, seen, unopened: isUnopened(inbound.framesReceived, seen) });
  }
  track.stop();
  second.stop();
  a.close();
  b.close();
  sendSide.close();
  receiveSide.close();
  return { receivers, unopenedReceivers, received };
};
