/**
 * This device's identity as the rest of the renderer sees it: its ids, the
 * credential it presents, and the signatures only it can make. The private keys
 * stay inside (non-extractable WebCrypto keys); callers get signatures, never keys.
 * Where the keys are kept and how they are made is keyStore.ts's business.
 */
import {
  authProofMessage,
  deviceCertMessage,
  dtlsFingerprints,
  dtlsFirstOfferMessage,
  dtlsMessage,
  sign,
  type DeviceCredential,
  type DtlsProof,
  type KeyAlgorithm,
  type PublicKey,
  type SigningKey,
} from '../../signaling-server/identity';
import { PROTOCOL_VERSION } from '../../signaling-server/protocol';
import { e2eeKeyMessage } from './e2eeKey';

export interface DeviceIdentity {
  readonly userId: string;
  readonly deviceId: string;
  readonly credential: DeviceCredential;
  /** True on the device that holds the user's private key: it can certify (link) other devices. */
  readonly canLink: boolean;
  /** The handshake proof for one connection (`host` as dialled, `sessionId` = the Engine.IO id). */
  proveConnection(host: string, sessionId: string): Promise<string>;
  /** The proof to attach to an SDP this device sends to `toDeviceId` in `callId`. */
  signDtls(input: { sdp: string; callId: string; toDeviceId: string }): Promise<DtlsProof>;
  /** The proof over a caller's first offer, made before the call exists (identity.ts `dtlsFirstOfferMessage`). */
  signFirstOffer(input: { sdp: string; toUserId: string }): Promise<DtlsProof>;
  /** The user key's certificate of another device's key (linking). Throws when !canLink. */
  certifyDevice(deviceKey: PublicKey): Promise<string>;
  /** The proof over this device's end-to-end encryption key for `callId` (e2eeKey.ts): credential + device key signature. */
  signE2eeKey(input: { callId: string; spki: string }): Promise<DtlsProof>;
}

export interface IdentityKeys {
  userId: string;
  deviceId: string;
  credential: DeviceCredential;
  device: { privateKey: SigningKey; alg: KeyAlgorithm };
  /** Present only on the device that created the user. */
  user: { privateKey: SigningKey; alg: KeyAlgorithm } | null;
}

export function deviceIdentity(keys: IdentityKeys): DeviceIdentity {
  const { userId, deviceId, credential, device, user } = keys;
  return {
    userId,
    deviceId,
    credential,
    canLink: user !== null,
    proveConnection: (host, sessionId) =>
      sign(device.privateKey, device.alg, authProofMessage({ protocolVersion: PROTOCOL_VERSION, host, sessionId, userId, deviceId })),
    async signDtls({ sdp, callId, toDeviceId }) {
      const message = dtlsMessage({ callId, fromDeviceId: deviceId, toDeviceId, fingerprints: dtlsFingerprints(sdp) });
      return { ...credential, signature: await sign(device.privateKey, device.alg, message) };
    },
    async signFirstOffer({ sdp, toUserId }) {
      const message = dtlsFirstOfferMessage({ fromDeviceId: deviceId, toUserId, fingerprints: dtlsFingerprints(sdp) });
      return { ...credential, signature: await sign(device.privateKey, device.alg, message) };
    },
    async certifyDevice(deviceKey) {
      if (user === null) throw new Error('this device cannot link other devices: it does not hold the user key');
      return sign(user.privateKey, user.alg, deviceCertMessage(userId, deviceKey));
    },
    async signE2eeKey({ callId, spki }) {
      return { ...credential, signature: await sign(device.privateKey, device.alg, e2eeKeyMessage({ callId, deviceId, spki })) };
    },
  };
}
