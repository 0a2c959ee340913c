/**
 * End-to-end encryption as the call engine drives it (issue 17.4): one CallE2ee
 * (callE2ee.ts) while the current call is on the SFU, none otherwise. The engine
 * wires it with a few lines:
 *
 *     const e2ee = createSfuE2ee({ identity: self.identity, send: (callId, to, e2ee) =>
 *       signaling.request('signal', { callId, to, data: { kind: 'e2ee', e2ee } }) });
 *     createSfuCall({ ..., hooks: e2ee.hooks,
 *       createPeerConnection: (config) => createPeerConnection({ ...config, ...e2ee.peerConnectionConfig() }) });
 *     // on every store change, before the SFU session follows:
 *     e2ee.follow(isSfuCall(s) ? { callId: s.callId, members: remoteMembers(s.call, self) } : null);
 *     // in the `signal` handler:
 *     if (e.data.kind === 'e2ee') { e2ee.handleSignal(e.callId, e.from, e.data.e2ee); return; }
 *
 * `hooks.sender` throws where the engine has no encoded-transform API: nothing is
 * published to the media server in the clear (see callE2ee.ts).
 */
import type { E2eeSignal } from '../../../signaling-server/protocol';
import type { DeviceIdentity } from '../../identity/deviceIdentity';
import { log } from '../../log';
import { createCallE2ee, E2eeUnavailableError, type CallE2ee } from './callE2ee';
import type { E2eeMember } from './e2eeSession';
import type { MediaKind } from './frameCrypto';
import { peerConnectionConfig, transformSupport, type TransformMode } from './frameTransforms';

const logger = log.child('e2ee');

export interface SfuE2eeOptions {
  identity: Pick<DeviceIdentity, 'deviceId' | 'signE2eeKey'>;
  /** Relays one E2EE message in `callId` to a member device (`signal`, data.kind 'e2ee'). */
  send(callId: string, toDeviceId: string, message: E2eeSignal): unknown;
  /** Tests: force a mode (null: as if the engine had none). */
  mode?: TransformMode | null;
}

export interface SfuE2ee {
  /** For SfuSessionOptions.hooks: protects every SFU sender and subscribed stream of the current call. */
  readonly hooks: {
    sender(sender: RTCRtpSender, feed: string, kind: MediaKind): void;
    receiver(receiver: RTCRtpReceiver, stream: { deviceId: string; kind: MediaKind }): void;
  };
  /** Merge into every SFU peer connection's configuration. */
  peerConnectionConfig(): Record<string, unknown>;
  /** The current SFU call and its other member devices, or null (no call, or a mesh call). */
  follow(call: { callId: string; members: readonly E2eeMember[] } | null): void;
  handleSignal(callId: string, fromDeviceId: string, message: E2eeSignal): void;
  /** The current call's encryption, if any. */
  current(): CallE2ee | null;
  dispose(): void;
}

export function createSfuE2ee(options: SfuE2eeOptions): SfuE2ee {
  const mode = options.mode === undefined ? transformSupport() : options.mode;
  let current: CallE2ee | null = null;

  const start = (callId: string): CallE2ee => {
    current?.close();
    current = createCallE2ee({
      callId,
      identity: options.identity,
      send: (to, message) => options.send(callId, to, message),
      mode,
    });
    logger.info(`call ${callId} is on the media server: its media is end-to-end encrypted (${mode ?? 'impossible here'})`);
    return current;
  };

  return {
    hooks: {
      sender(sender, feed, kind) {
        if (!current) {
          // A publication before follow() named the call: nothing is sent without protection.
          if (mode === null) throw new E2eeUnavailableError();
          throw new Error('an SFU sender came before the call’s end-to-end encryption started');
        }
        current.hooks.sender(sender, feed, kind);
      },
      receiver(receiver, stream) {
        if (!current) {
          logger.warn(`a subscribed stream of device ${stream.deviceId} came before the call’s end-to-end encryption started: it stays undecodable`);
          return;
        }
        current.hooks.receiver(receiver, stream);
      },
    },
    peerConnectionConfig: () => peerConnectionConfig(mode),
    follow(call) {
      if (call === null) {
        if (current) {
          current.close();
          current = null;
        }
        return;
      }
      const e2ee = current?.callId === call.callId ? current : start(call.callId);
      e2ee.setMembers(call.members);
    },
    handleSignal(callId, fromDeviceId, message) {
      if (current?.callId === callId) current.handleSignal(fromDeviceId, message);
      else logger.debug(`an E2EE ${message.type} from ${fromDeviceId} for call ${callId}, not on the media server here: dropped`);
    },
    current: () => current,
    dispose() {
      current?.close();
      current = null;
    },
  };
}
