/**
 * End-to-end encryption of one SFU call, as the SFU session uses it (issue 17.4):
 *
 *     const e2ee = createCallE2ee({ callId, identity, send });
 *     new SfuSession({ ..., hooks: e2ee.hooks,
 *       createPeerConnection: (config) => new RTCPeerConnection({ ...config, ...e2ee.peerConnectionConfig() }) });
 *     e2ee.setMembers(members);            // on every snapshot: the call's devices
 *     e2ee.handleSignal(from, data.e2ee);  // a `signal` with data.kind 'e2ee'
 *     e2ee.subscribe(() => render(e2ee.status()));
 *     e2ee.close();                        // the call ended or left the SFU
 *
 * `hooks.sender` protects every sender of the SFU publications and `hooks.receiver`
 * every subscribed stream, with the keys of the device that sent it.
 *
 * Never a silent downgrade: where this engine has no encoded-transform API, `hooks.sender`
 * throws, so nothing is published to the media server in the clear (the SFU session
 * reports the failed publication), and the status says "not end-to-end encrypted"
 * with the reason. Receivers without a transform get only undecodable frames.
 */
import type { E2eeSignal } from '../../../signaling-server/protocol';
import type { DeviceIdentity } from '../../identity/deviceIdentity';
import { log } from '../../log';
import { E2eeSession, type E2eeMember, type E2eeStatus, type PairFileKeys } from './e2eeSession';
import { emptyCounts, type FrameCounts, type MediaKind } from './frameCrypto';
import { FrameTransforms, peerConnectionConfig, transformSupport, type TransformMode } from './frameTransforms';
import { setCallE2eeStatus } from './e2eeStatusStore';

const logger = log.child('e2ee.call');

/** How long a sender's previous key still opens its frames after the next one came. */
export const KEY_GRACE_MS = 5_000;
/** How often the lock's word is checked against what the encoders send. */
const SEAL_CHECK_MS = 3_000;
/** E2EE signals held while the key session starts (a few per member at most). */
const MAX_EARLY_SIGNALS = 256;

export class E2eeUnavailableError extends Error {
  constructor() {
    super('this engine cannot encrypt media end to end (no RTCRtpScriptTransform or encoded streams): nothing is sent to the media server');
    this.name = 'E2eeUnavailableError';
  }
}

export type CallE2eeState = 'encrypted' | 'pending' | 'not_encrypted';

export interface CallE2eeStatus {
  callId: string;
  /**
   * encrypted: every member device proved its key and sent its media key, and every
   * sender here is protected; pending: keys still on their way; not_encrypted: see reason.
   */
  state: CallE2eeState;
  /**
   * unavailable: no encoded-transform API here; refused_key: a member's key failed its check;
   * failed: the keys could not be made; unsealed: a sender's frames were seen leaving without
   * passing its transform (the engine did not apply it).
   */
  reason: 'unavailable' | 'refused_key' | 'failed' | 'unsealed' | null;
  /**
   * Protected video receivers whose frames were seen reaching the decoder without
   * passing their transform (the engine did not apply it): their video comes from the
   * media server still sealed and cannot be shown here. It does not change `state`:
   * nothing went out in the clear.
   */
  unopenedReceivers: number;
  mode: TransformMode | null;
  keys: E2eeStatus;
  frames: FrameCounts;
}

export interface CallE2ee {
  readonly callId: string;
  readonly mode: TransformMode | null;
  /** For SfuSessionOptions.hooks. */
  readonly hooks: {
    sender(sender: RTCRtpSender, feed: string, kind: MediaKind): void;
    receiver(receiver: RTCRtpReceiver, stream: { deviceId: string; kind: MediaKind }): void;
  };
  /** Merge into the SFU peer connections' configuration (Chromium's encoded streams need a flag). */
  peerConnectionConfig(): Record<string, unknown>;
  setMembers(members: readonly E2eeMember[]): void;
  handleSignal(fromDeviceId: string, message: E2eeSignal): void;
  status(): CallE2eeStatus;
  /** The keys that seal file transfers with member device `deviceId` (sfu/sfuFiles.ts), once its call key is proven. */
  fileKeys(deviceId: string): PairFileKeys | null;
  subscribe(listener: (status: CallE2eeStatus) => void): () => void;
  close(): void;
}

export interface StartCallE2eeOptions {
  callId: string;
  identity: Pick<DeviceIdentity, 'deviceId' | 'signE2eeKey'>;
  send(toDeviceId: string, message: E2eeSignal): unknown;
  /** Tests: force a mode (null: as if the engine had none). */
  mode?: TransformMode | null;
}

export function createCallE2ee(options: StartCallE2eeOptions): CallE2ee {
  const mode = options.mode === undefined ? transformSupport() : options.mode;
  const listeners = new Set<(status: CallE2eeStatus) => void>();
  let frames: FrameCounts = emptyCounts();
  let closed = false;
  let failed = false;
  /** A protected sender was seen sending frames its transform never saw: stays so for the call. */
  let unsealed = false;
  /** Protected video receivers whose frames never reach their transform, as last checked. */
  let unopened = 0;
  /** The error about them is logged once per call; later changes are info lines. */
  let unopenedLogged = false;
  let session: E2eeSession | null = null;
  /** Until the key session is ready (its call key is made and signed): the latest members, and the signals that came. */
  let members: readonly E2eeMember[] | null = null;
  const early: [string, E2eeSignal][] = [];

  // Made at once, so senders and receivers are protected from their first frame (a
  // sender drops its frames until its key is set: nothing leaves in the clear).
  const transforms = mode === null ? null : new FrameTransforms({ mode, graceMs: KEY_GRACE_MS, onCounts: (c) => changed(c) });
  if (mode === null) logger.warn(`call ${options.callId}: ${new E2eeUnavailableError().message}`);

  const status = (): CallE2eeStatus => {
    const keys: E2eeStatus = session?.status() ?? { keysComplete: false, waitingFor: (members ?? []).map((m) => m.deviceId), refused: [], sendKeyId: null };
    let state: CallE2eeState = keys.keysComplete ? 'encrypted' : 'pending';
    let reason: CallE2eeStatus['reason'] = null;
    if (mode === null) {
      state = 'not_encrypted';
      reason = 'unavailable';
    } else if (failed) {
      state = 'not_encrypted';
      reason = 'failed';
    } else if (unsealed) {
      state = 'not_encrypted';
      reason = 'unsealed';
    } else if (keys.refused.length > 0) {
      state = 'not_encrypted';
      reason = 'refused_key';
    }
    return { callId: options.callId, state, reason, unopenedReceivers: unopened, mode, keys, frames };
  };

  let lastFailures = 0;
  function changed(counts?: FrameCounts): void {
    if (closed) return;
    if (counts) {
      frames = counts;
      const failures = counts.failedBad + counts.failedNoKey;
      // One line per report (at most once a second), never per frame.
      if (failures > lastFailures) logger.debug(`call ${options.callId}: ${failures - lastFailures} frames did not open (total ${failures})`);
      lastFailures = failures;
    }
    const now = status();
    setCallE2eeStatus(now);
    for (const listener of listeners) listener(now);
  }

  if (transforms !== null) {
    E2eeSession.start({ callId: options.callId, self: options.identity, send: options.send, frames: transforms, onStatus: () => changed() }).then(
      (started) => {
        if (closed) {
          started.close();
          return;
        }
        session = started;
        if (members !== null) started.setMembers(members);
        for (const [from, message] of early.splice(0)) void started.handleSignal(from, message);
        changed();
      },
      (error: unknown) => {
        failed = true;
        logger.error(`call ${options.callId}: end-to-end encryption could not start`, error);
        changed();
      },
    );
  }
  changed();

  // What the lock says is checked against what the encoders send (FrameTransforms.unsealedSenders),
  // and what the decoders get against what the transforms opened (FrameTransforms.unopenedReceivers).
  async function checkFrames(t: FrameTransforms): Promise<void> {
    if (!unsealed) {
      const count = await t.unsealedSenders();
      if (closed) return;
      if (count > 0) {
        unsealed = true;
        logger.error(`call ${options.callId}: ${count} protected video sender(s) send frames their transform never saw: not end-to-end encrypted`);
        changed();
      }
    }
    const count = await t.unopenedReceivers();
    if (closed || count === unopened) return;
    if (count > 0 && !unopenedLogged) {
      unopenedLogged = true;
      logger.error(
        `call ${options.callId}: ${count} protected video receiver(s) get frames their transform never saw (mode ${String(mode)}, ${frames.decrypted} frames decrypted so far): video from the media server cannot be decrypted on this device`,
      );
    } else {
      logger.info(`call ${options.callId}: ${count} protected video receiver(s) now get frames their transform never saw (was ${unopened})`);
    }
    unopened = count;
    changed();
  }
  let checking = false;
  const sealCheck =
    transforms === null
      ? null
      : setInterval(() => {
          if (closed || checking) return;
          checking = true;
          checkFrames(transforms)
            .catch((error: unknown) => logger.warn(`call ${options.callId}: could not check that frames pass their transforms`, error))
            .finally(() => {
              checking = false;
            });
        }, SEAL_CHECK_MS);

  return {
    callId: options.callId,
    mode,
    hooks: {
      sender(sender, feed, kind) {
        if (transforms === null) throw new E2eeUnavailableError();
        transforms.protectSender(sender, kind);
        logger.debug(`call ${options.callId}: the ${feed} ${kind} sender is protected`);
      },
      receiver(receiver, stream) {
        if (transforms === null) return;
        transforms.protectReceiver(receiver, stream.deviceId, stream.kind);
      },
    },
    peerConnectionConfig: () => peerConnectionConfig(mode),
    setMembers(next) {
      members = [...next];
      if (session) session.setMembers(next);
      else changed();
    },
    handleSignal(fromDeviceId, message) {
      if (session) void session.handleSignal(fromDeviceId, message);
      else if (transforms !== null && !failed && early.length < MAX_EARLY_SIGNALS) early.push([fromDeviceId, message]);
      else logger.debug(`call ${options.callId}: an E2EE ${message.type} from ${fromDeviceId} dropped (no key session here)`);
    },
    status,
    fileKeys: (deviceId) => session?.fileKeys(deviceId) ?? null,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      if (closed) return;
      closed = true;
      if (sealCheck !== null) clearInterval(sealCheck);
      session?.close();
      transforms?.close();
      listeners.clear();
      setCallE2eeStatus(null, options.callId);
    },
  };
}
