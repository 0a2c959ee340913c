/**
 * Call membership tokens (`rejoinToken` in a member's CallSnapshot): the server's
 * proof, handed to each member, that this device of this user was in this call.
 * `call:rejoin` must carry it, so only a call's own members can re-attach to it or
 * rebuild it after a restart; an invitee who declined, or anyone who merely learnt
 * a call id, never had one.
 *
 * token = base64url(HMAC-SHA256(secret, "parley rejoin v1" ‖ callId ‖ userId ‖ deviceId)),
 * fields separated by a newline, which no id may contain (userIdSchema), so two
 * different triples never sign the same text. The domain prefix keeps the secret
 * from ever signing anything else that could pass for a token. Tokens do not
 * expire: what bounds them is the call (see CallRegistry.rejoin).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { CallId, DeviceId, UserId } from './protocol';

const DOMAIN = 'parley rejoin v1';
/** An HMAC-SHA256 is 32 bytes: 43 characters of base64url. */
const TOKEN_LENGTH = 43;

export class MembershipSigner {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    // The options schema asks for 32 characters; a shorter key here is a bug.
    if (key.length < 32) throw new Error(`a membership key needs at least 32 bytes, got ${key.length}`);
    this.key = Buffer.from(key);
  }

  sign(callId: CallId, userId: UserId, deviceId: DeviceId): string {
    return createHmac('sha256', this.key).update(`${DOMAIN}\n${callId}\n${userId}\n${deviceId}`, 'utf8').digest('base64url');
  }

  /** Constant time in the token's content (its length, always 43 when genuine, is no secret). */
  verify(token: string, callId: CallId, userId: UserId, deviceId: DeviceId): boolean {
    const given = Buffer.from(token, 'utf8');
    if (given.length !== TOKEN_LENGTH) return false;
    return timingSafeEqual(given, Buffer.from(this.sign(callId, userId, deviceId), 'utf8'));
  }
}
