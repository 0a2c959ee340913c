/**
 * The E2EE frame worker: seals every outgoing encoded frame and opens every incoming
 * one (frameCrypto.ts), off the page's thread. Frames come either from
 * RTCRtpScriptTransform (the `rtctransform` event; Firefox, and Chromium where it has
 * it) or as the streams of Chromium's createEncodedStreams() posted here.
 *
 * Nothing leaves in the clear: a sender without a key drops its frames (counted).
 * A frame that does not open is dropped and counted; the counts go to the page once a
 * second when they changed — never one message or log line per frame.
 */
import { decryptFrame, emptyCounts, FrameEncryptor, ReceiveKeys, clearBytes, type SendKey } from './frameCrypto';
import type { FromWorker, ToWorker, TransformRole } from './workerProtocol';

/** What this file needs of the worker global (the renderer is typed with the DOM library). */
interface WorkerScope {
  postMessage(message: FromWorker): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<ToWorker>) => void): void;
  onrtctransform: ((event: { transformer: ScriptTransformer }) => void) | null;
}
interface ScriptTransformer {
  readonly readable: ReadableStream<EncodedFrame>;
  readonly writable: WritableStream<EncodedFrame>;
  readonly options: TransformRole;
  generateKeyFrame?(): Promise<unknown>;
  sendKeyFrameRequest?(): Promise<unknown>;
}
interface EncodedFrame {
  data: ArrayBuffer;
  readonly type?: string;
  getMetadata(): { mimeType?: string };
}

const scope = globalThis as unknown as WorkerScope;
const DEFAULT_GRACE_MS = 5_000;

let graceMs = DEFAULT_GRACE_MS;
let sendKey: SendKey | null = null;
let receiveKeys = new ReceiveKeys(graceMs);
const counts = emptyCounts();
let reported = JSON.stringify(counts);
/** Senders that waited for a key: asked for a key frame once it comes. */
const keyFrameWanted = new Set<ScriptTransformer>();
/** Receivers whose frames failed: ask their sender for a key frame when a key comes. */
const receiversFailing = new Map<string, Set<ScriptTransformer>>();
/** Receivers retargeted to another device since their transform was made (the `retarget` op), by receiverIndex. */
const receiverDevice = new Map<number, string>();
/** The script transformer of each receiver (by receiverIndex), to ask a key frame of a retargeted one. */
const receiverTransformers = new Map<number, ScriptTransformer>();

function report(message: FromWorker): void {
  scope.postMessage(message);
}

function askKeyFrame(transformer: ScriptTransformer, how: 'generateKeyFrame' | 'sendKeyFrameRequest'): void {
  const ask = transformer[how];
  if (!ask) return;
  ask.call(transformer).catch((error: unknown) => {
    // A key frame request may be refused while the stream is not flowing yet: the next frames heal it anyway.
    report({ op: 'error', message: `${how} failed: ${String(error)}` });
  });
}

function run(options: TransformRole, readable: ReadableStream<EncodedFrame>, writable: WritableStream<EncodedFrame>, transformer: ScriptTransformer | null): void {
  const encryptor = options.role === 'send' ? new FrameEncryptor(options.streamIndex) : null;
  if (options.role === 'recv' && transformer) receiverTransformers.set(options.receiverIndex, transformer);
  const transform = new TransformStream<EncodedFrame, EncodedFrame>({
    async transform(frame, controller) {
      if (options.role === 'send') counts.seenByStream[options.streamIndex] = (counts.seenByStream[options.streamIndex] ?? 0) + 1;
      else counts.seenByReceiver[options.receiverIndex] = (counts.seenByReceiver[options.receiverIndex] ?? 0) + 1;
      if (frame.data.byteLength === 0) {
        controller.enqueue(frame);
        return;
      }
      if (options.role === 'send') {
        const key = sendKey;
        if (key === null || encryptor === null) {
          counts.unsentNoKey += 1;
          if (transformer && options.kind === 'video') keyFrameWanted.add(transformer);
          return;
        }
        const clear = clearBytes(options.kind, frame.getMetadata().mimeType, frame.type, frame.data.byteLength);
        frame.data = await encryptor.encrypt(frame.data, clear, key);
        counts.encrypted += 1;
        controller.enqueue(frame);
        return;
      }
      // The device whose frames come here now: the media server may have given this m-line to another feed.
      const from = receiverDevice.get(options.receiverIndex) ?? options.deviceId;
      const result = await decryptFrame(frame.data, (keyId) => receiveKeys.lookup(from, keyId));
      if (!result.ok) {
        if (result.reason === 'no_key') counts.failedNoKey += 1;
        else counts.failedBad += 1;
        if (transformer && options.kind === 'video') {
          const failing = receiversFailing.get(from) ?? new Set();
          failing.add(transformer);
          receiversFailing.set(from, failing);
        }
        return;
      }
      frame.data = result.data;
      counts.decrypted += 1;
      controller.enqueue(frame);
    },
  });
  readable
    .pipeThrough(transform)
    .pipeTo(writable)
    .catch((error: unknown) => {
      // The stream ends when its sender/receiver stops; anything else is worth a line.
      report({ op: 'error', message: `a ${options.role} ${options.kind} transform stopped: ${String(error)}` });
    })
    .finally(() => {
      // A receiver that is gone is retargeted no more: its entries go with it.
      if (options.role !== 'recv') return;
      receiverTransformers.delete(options.receiverIndex);
      receiverDevice.delete(options.receiverIndex);
    });
}

scope.onrtctransform = (event) => {
  const transformer = event.transformer;
  run(transformer.options, transformer.readable, transformer.writable, transformer);
};

scope.addEventListener('message', (event) => {
  const message = event.data;
  switch (message.op) {
    case 'config':
      graceMs = message.graceMs;
      receiveKeys = new ReceiveKeys(graceMs);
      return;
    case 'sendKey': {
      const first = sendKey === null;
      sendKey = { id: message.keyId, key: message.key };
      if (first) for (const transformer of keyFrameWanted) askKeyFrame(transformer, 'generateKeyFrame');
      keyFrameWanted.clear();
      return;
    }
    case 'recvKey': {
      receiveKeys.install(message.deviceId, message.keyId, message.key);
      const failing = receiversFailing.get(message.deviceId);
      if (failing) for (const transformer of failing) askKeyFrame(transformer, 'sendKeyFrameRequest');
      receiversFailing.delete(message.deviceId);
      return;
    }
    case 'retarget': {
      receiverDevice.set(message.receiverIndex, message.deviceId);
      // The new feed's frames open from its next key frame on: ask for one now.
      const transformer = receiverTransformers.get(message.receiverIndex);
      if (transformer) askKeyFrame(transformer, 'sendKeyFrameRequest');
      return;
    }
    case 'forget':
      receiveKeys.forget(message.deviceId);
      receiversFailing.delete(message.deviceId);
      return;
    case 'streams':
      run(message.options, message.readable as ReadableStream<EncodedFrame>, message.writable as WritableStream<EncodedFrame>, null);
      return;
  }
});

setInterval(() => {
  const now = JSON.stringify(counts);
  if (now === reported) return;
  reported = now;
  report({ op: 'counts', counts: { ...counts, seenByStream: { ...counts.seenByStream }, seenByReceiver: { ...counts.seenByReceiver } } });
}, 1_000);
