/**
 * File transfers with the members of an SFU call (issue 17.5): one sealed relay
 * channel (sfuFileChannel.ts) per member device whose end-to-end file keys are
 * known, handed to the call's FileTransfers like a mesh 'files' channel. A member
 * that announces a new call key (it rejoined) gets a new channel; one that leaves,
 * or a call that ends, closes it (what was moving fails, as in the mesh).
 */
import { log } from '../../log';
import type { PairFileKeys } from '../e2ee/e2eeSession';
import type { FileTransfers } from '../fileTransfers';
import { RelayFileChannel, RelayPacer } from './sfuFileChannel';

const logger = log.child('call.files');

export interface SfuFilesCall {
  callId: string;
  /** The other member devices to exchange files with through the server. */
  members: readonly { deviceId: string; userId: string }[];
  /** Their file keys (E2eeSession.fileKeys), null until proven. */
  keys(deviceId: string): PairFileKeys | null;
  /** Tells when keys may have come (the call's E2EE status); the members are followed again then. */
  subscribe?(listener: () => void): () => void;
}

export interface SfuFilesOptions {
  selfDeviceId: string;
  transfers: Pick<FileTransfers, 'ready' | 'gone' | 'receive'>;
  /** Relays one sealed payload (`signal` {kind:'relay', channel:'files', payload}). */
  send(callId: string, toDeviceId: string, payload: string): Promise<unknown>;
  pacer?: RelayPacer;
}

export interface SfuFiles {
  /** The current SFU call and its members (null: none); call again whenever members or keys change. */
  follow(call: SfuFilesCall | null): void;
  /** One relayed 'files' payload from a member device (outside input). */
  receive(callId: string, fromDeviceId: string, payload: unknown): void;
  dispose(): void;
}

interface Entry {
  callId: string;
  keys: PairFileKeys;
  channel: RelayFileChannel;
}

export function createSfuFiles(options: SfuFilesOptions): SfuFiles {
  const pacer = options.pacer ?? new RelayPacer();
  const entries = new Map<string, Entry>();
  let watching: { callId: string; stop: () => void } | null = null;
  let last: SfuFilesCall | null = null;

  const drop = (deviceId: string): void => {
    const entry = entries.get(deviceId);
    if (!entry) return;
    entries.delete(deviceId);
    entry.channel.close();
    options.transfers.gone(deviceId);
  };

  const files: SfuFiles = {
    follow(call) {
      last = call;
      if (watching && watching.callId !== call?.callId) {
        watching.stop();
        watching = null;
      }
      if (call?.subscribe && !watching) {
        const callId = call.callId;
        watching = { callId, stop: call.subscribe(() => { if (last?.callId === callId) files.follow(last); }) };
      }
      const wanted = new Map((call?.members ?? []).map((m) => [m.deviceId, m]));
      for (const [deviceId, entry] of [...entries]) {
        const keys = call && wanted.has(deviceId) ? call.keys(deviceId) : null;
        if (!call || entry.callId !== call.callId || keys !== entry.keys) drop(deviceId);
      }
      if (!call) return;
      for (const member of wanted.values()) {
        if (entries.has(member.deviceId)) continue;
        const keys = call.keys(member.deviceId);
        if (!keys) continue;
        const channel = new RelayFileChannel({
          callId: call.callId,
          selfDeviceId: options.selfDeviceId,
          peerDeviceId: member.deviceId,
          keys,
          pacer,
          send: (payload) => options.send(call.callId, member.deviceId, payload),
          onMessage: (data) => options.transfers.receive(member.deviceId, data),
        });
        channel.addEventListener('close', () => {
          if (entries.get(member.deviceId)?.channel === channel) drop(member.deviceId);
        });
        entries.set(member.deviceId, { callId: call.callId, keys, channel });
        options.transfers.ready({ deviceId: member.deviceId, userId: member.userId, files: channel });
      }
    },
    receive(callId, fromDeviceId, payload) {
      const entry = entries.get(fromDeviceId);
      if (entry?.callId !== callId) {
        logger.debug(`a relayed file message from device ${fromDeviceId} in call ${callId}: no file channel with it here, dropped`);
        return;
      }
      entry.channel.receive(payload);
    },
    dispose() {
      watching?.stop();
      watching = null;
      last = null;
      for (const deviceId of [...entries.keys()]) drop(deviceId);
    },
  };
  return files;
}
