/**
 * The SFU side of a call, composed (issue 17): the call's end-to-end encryption
 * (e2ee/sfuE2ee.ts), the SFU session (sfu/sfuCall.ts) and files through the server
 * (sfu/sfuFiles.ts). Only calls on the media server need it, so the engine loads this
 * module (and with it the SFU client and E2EE) when a call first goes there
 * (lazySfu.ts): it is not in the JavaScript loaded at start (issue 16.8).
 */
import type { E2eeSignal } from '../../signaling-server/protocol';
import type { DeviceIdentity } from '../identity/deviceIdentity';
import type { CallFeatures } from './callFeatures';
import { createSfuE2ee } from './e2ee/sfuE2ee';
import type { PeerConnectionLike } from './peerConnection';
import { createSfuCall, type SfuCall, type SfuCallOptions } from './sfu/sfuCall';
import { createSfuFiles } from './sfu/sfuFiles';
import { sfuRelayTargets } from './sfu/sfuTargets';

/** What the SFU session takes (its E2EE hooks are made here), plus the device's identity and the call's file transfers. */
export interface SfuStackOptions<PC extends PeerConnectionLike> extends Omit<SfuCallOptions<PC>, 'hooks' | 'onScreensChange'> {
  identity: Pick<DeviceIdentity, 'deviceId' | 'signE2eeKey'>;
  onScreensChange(): void;
  /** The call's file transfers, which take the relayed file channels. */
  transfers: CallFeatures['relayedFiles'];
}

export interface SfuStack<PC extends PeerConnectionLike> {
  readonly sfu: SfuCall<PC>;
  /** A `signal` of kind 'e2ee' (outside input). */
  handleE2ee(callId: string, from: string, message: E2eeSignal): void;
  /** A relayed 'files' payload (outside input). */
  receiveFiles(callId: string, from: string, payload: string): void;
}

export function createSfuStack<PC extends PeerConnectionLike>(options: SfuStackOptions<PC>): SfuStack<PC> {
  const { signaling, self } = options;
  // SFU media is end-to-end encrypted (e2ee/): each device's media key reaches every member wrapped for its device, frames are sealed in a worker.
  const e2ee = createSfuE2ee({
    identity: options.identity,
    send: (callId, to, message) => signaling.request('signal', { callId, to, data: { kind: 'e2ee', e2ee: message } }),
  });
  const sfuCall = createSfuCall<PC>({
    signaling,
    self,
    state: options.state,
    dispatch: options.dispatch,
    now: options.now,
    createPeerConnection: (config) => options.createPeerConnection({ ...config, ...e2ee.peerConnectionConfig() } as RTCConfiguration),
    rtcConfiguration: options.rtcConfiguration,
    createStream: options.createStream,
    localTracks: options.localTracks,
    onCarriedChange: options.onCarriedChange,
    onScreensChange: options.onScreensChange,
    hooks: e2ee.hooks,
  });
  // Files in SFU calls go through the server sealed with keys of the call's E2EE session (sfu/sfuFiles.ts).
  const sfuFiles = createSfuFiles({
    selfDeviceId: self.deviceId,
    transfers: options.transfers,
    send: (callId, to, payload) => signaling.request('signal', { callId, to, data: { kind: 'relay', channel: 'files', payload } }),
  });
  const sfu: SfuCall<PC> = {
    ...sfuCall,
    // The call's encryption follows first, so every SFU sender is protected from its first frame.
    follow(s) {
      const onSfu = s.phase === 'active' && s.call.topology === 'sfu' ? { callId: s.callId, members: sfuRelayTargets(s, self) } : null;
      e2ee.follow(onSfu);
      const keys = e2ee.current();
      sfuFiles.follow(
        onSfu && keys?.callId === onSfu.callId
          ? { ...onSfu, keys: (deviceId) => keys.fileKeys(deviceId), subscribe: (listener) => keys.subscribe(listener) }
          : null,
      );
      sfuCall.follow(s);
    },
    dispose() {
      sfuFiles.dispose();
      sfuCall.dispose();
      e2ee.dispose();
    },
  };
  return {
    sfu,
    handleE2ee: (callId, from, message) => e2ee.handleSignal(callId, from, message),
    receiveFiles: (callId, from, payload) => sfuFiles.receive(callId, from, payload),
  };
}
