/**
 * ICE servers for a user: STUN URLs as configured, and TURN with short-lived
 * credentials per the "TURN REST API" (draft-uberti-behave-turn-rest-00, as coturn
 * implements it with `use-auth-secret`): username = "<expiry unix seconds>:<userId>",
 * credential = base64(HMAC-SHA1(shared secret, username)). The TURN server checks
 * the HMAC and the expiry itself, so the secret never leaves this process.
 *
 * The expiry is rounded up to a multiple of EXPIRY_STEP_SECONDS, so asking again
 * within the same step returns the same credential (nothing new is minted for a
 * device that asks in a loop), and the lifetime never passes MAX_TTL_SECONDS.
 * Who may have them at all is decided in handlers.ts (call members and ringing
 * devices only). A list that carries no credential (STUN only, or nothing: a
 * server without TURN) gives nothing away, so every device gets it with its
 * welcome (`credentialFree`).
 */
import { createHmac } from 'node:crypto';
import type { IceServer, UserId } from './protocol';

export const EXPIRY_STEP_SECONDS = 300;
/** A leaked credential must not outlive the day it was minted (options cap ttlSeconds at this too). */
export const MAX_TTL_SECONDS = 24 * 3600;

export interface TurnConfig {
  urls: string[];
  secret: string;
  ttlSeconds: number;
}

export function turnRestCredential(
  secret: string,
  userId: UserId,
  expiryUnixSeconds: number,
): { username: string; credential: string } {
  const username = `${expiryUnixSeconds}:${userId}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential };
}

/**
 * `ttlSeconds` is how long the list stays valid: the TURN credential lifetime, or 0
 * when nothing in it expires (STUN only, or nothing configured).
 */
export function iceServersFor(
  userId: UserId,
  turn: TurnConfig | null,
  stunUrls: readonly string[],
  nowMs: number,
): { iceServers: IceServer[]; ttlSeconds: number } {
  const iceServers: IceServer[] = [];
  if (stunUrls.length > 0) iceServers.push({ urls: [...stunUrls] });
  if (turn === null) return { iceServers, ttlSeconds: 0 };
  const now = Math.floor(nowMs / 1000);
  const ttl = Math.min(turn.ttlSeconds, MAX_TTL_SECONDS);
  let expiry = Math.ceil((now + ttl) / EXPIRY_STEP_SECONDS) * EXPIRY_STEP_SECONDS;
  if (expiry - now > MAX_TTL_SECONDS) expiry -= EXPIRY_STEP_SECONDS;
  iceServers.push({ urls: [...turn.urls], ...turnRestCredential(turn.secret, userId, expiry) });
  return { iceServers, ttlSeconds: expiry - now };
}

/** A list with nothing secret or expiring in it, which anyone connected may have. */
export function credentialFree(answer: { iceServers: readonly IceServer[]; ttlSeconds: number }): boolean {
  return answer.ttlSeconds === 0 && answer.iceServers.every((s) => s.username === undefined && s.credential === undefined);
}
