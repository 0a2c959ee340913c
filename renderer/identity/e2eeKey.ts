/**
 * The device's signature over its end-to-end encryption key for one call (issue 17.4).
 *
 * In an SFU call every device makes a fresh ECDH P-256 key pair for that call (its
 * *call key*, renderer/call/e2ee/callKeys.ts), whose private half never leaves
 * WebCrypto and is forgotten when the call ends (so a recorded call cannot be
 * opened later with a stolen long-term key). The device key signs the public half,
 * bound to the call and the device: a member can wrap its media key to a device
 * the signaling server cannot impersonate, and a key announced for another call, or
 * signed by another device, never verifies (the receiver checks the chain up to the
 * member's userId exactly as for DTLS proofs).
 */
export const E2EE_KEY_LABEL = 'parley/e2ee-key/1';

export interface E2eeKeyFields {
  callId: string;
  deviceId: string;
  /** The call key's public half: SPKI bytes of an ECDH P-256 key, base64url. */
  spki: string;
}

export function e2eeKeyMessage(fields: E2eeKeyFields): string {
  return [E2EE_KEY_LABEL, fields.callId, fields.deviceId, 'ECDH-P-256', fields.spki].join('\n');
}
