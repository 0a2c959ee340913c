/**
 * Real identities for Node test clients: WebCrypto keys made the way the app
 * makes them (signaling-server/identity.ts), a device certificate, and the
 * per-connection proof the handshake needs. Nothing here is a shortcut the
 * server could tell apart from the app.
 */
import type { Socket } from 'socket.io-client';
import {
  authProofMessage,
  deviceCertMessage,
  dtlsFingerprints,
  dtlsMessage,
  exportPublicKey,
  generateKeyPair,
  idOfKey,
  sign,
  type DeviceCredential,
  type DtlsProof,
  type KeyAlgorithm,
  type PublicKey,
  type SigningKeyPair,
} from '../../signaling-server/identity';
import { PROTOCOL_VERSION, type StrangerCalls } from '../../signaling-server/protocol';

export interface TestUserKey {
  userId: string;
  userKey: PublicKey;
  pair: SigningKeyPair;
  alg: KeyAlgorithm;
}

export interface TestIdentity {
  userId: string;
  deviceId: string;
  credential: DeviceCredential;
  user: TestUserKey;
  device: { pair: SigningKeyPair; alg: KeyAlgorithm; key: PublicKey };
}

export async function makeUserKey(alg: KeyAlgorithm = 'Ed25519'): Promise<TestUserKey> {
  const made = await generateKeyPair(alg);
  const userKey = await exportPublicKey(made.pair.publicKey, made.alg);
  return { userId: await idOfKey(userKey), userKey, pair: made.pair, alg: made.alg };
}

/** A device of `user` (a new user when omitted), with its certificate. */
export async function makeIdentity(options: { user?: TestUserKey; alg?: KeyAlgorithm } = {}): Promise<TestIdentity> {
  const user = options.user ?? (await makeUserKey(options.alg));
  const made = await generateKeyPair(options.alg ?? 'Ed25519');
  const deviceKey = await exportPublicKey(made.pair.publicKey, made.alg);
  const deviceId = await idOfKey(deviceKey);
  const deviceCert = await sign(user.pair.privateKey, user.alg, deviceCertMessage(user.userId, deviceKey));
  const identity: TestIdentity = {
    userId: user.userId,
    deviceId,
    credential: { userKey: user.userKey, deviceKey, deviceCert },
    user,
    device: { pair: made.pair, alg: made.alg, key: deviceKey },
  };
  return identity;
}

/** Another device of the same user. */
export function anotherDevice(identity: TestIdentity): Promise<TestIdentity> {
  return makeIdentity({ user: identity.user, alg: identity.device.alg });
}

/** The proof for one connection: `host` as dialled (`new URL(url).host`), `sessionId` the Engine.IO id. */
export function proveFor(identity: TestIdentity, host: string, sessionId: string, protocolVersion = PROTOCOL_VERSION): Promise<string> {
  return sign(
    identity.device.pair.privateKey,
    identity.device.alg,
    authProofMessage({ protocolVersion, host, sessionId, userId: identity.userId, deviceId: identity.deviceId }),
  );
}

export interface HandshakeExtras {
  displayName: string;
  password?: string;
  contacts?: readonly string[];
  strangerCalls?: StrangerCalls;
  /** Sign for this host instead of the one dialled (to test a proof made for another server). */
  host?: string;
}

/**
 * Sets `socket.auth` to a function that signs each connection's fresh Engine.IO
 * session id, as the app does; call before `socket.connect()`.
 */
export function authenticate(socket: Socket, url: string, identity: TestIdentity, extras: HandshakeExtras): void {
  const host = extras.host ?? new URL(url).host;
  socket.auth = (cb: (data: object) => void) => {
    const sessionId = socket.io.engine.id;
    void proveFor(identity, host, sessionId).then((proof) =>
      cb({
        protocolVersion: PROTOCOL_VERSION,
        credential: identity.credential,
        proof,
        displayName: extras.displayName,
        ...(extras.password === undefined ? {} : { password: extras.password }),
        contacts: [...(extras.contacts ?? [])],
        strangerCalls: extras.strangerCalls ?? 'ring',
      }),
    );
  };
}

/** The DTLS proof the app attaches to an SDP it sends. */
export async function dtlsProofFor(
  identity: TestIdentity,
  sdp: string,
  fields: { callId: string; toDeviceId: string },
): Promise<DtlsProof> {
  const message = dtlsMessage({ ...fields, fromDeviceId: identity.deviceId, fingerprints: dtlsFingerprints(sdp) });
  return { ...identity.credential, signature: await sign(identity.device.pair.privateKey, identity.device.alg, message) };
}
