/**
 * ICE servers for a user: STUN URLs as configured, and TURN with short-lived
 * credentials per the "TURN REST API" (draft-uberti-behave-turn-rest-00, as coturn
 * implements it with `use-auth-secret`): username = "<expiry unix seconds>:<userId>",
 * credential = base64(HMAC-SHA1(shared secret, username)). The TURN server checks
 * the HMAC and the expiry itself, so the secret never leaves this process.
 */
import { createHmac } from 'node:crypto';
import type { IceServer, UserId } from './protocol';

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
  const expiry = Math.floor(nowMs / 1000) + turn.ttlSeconds;
  iceServers.push({ urls: [...turn.urls], ...turnRestCredential(turn.secret, userId, expiry) });
  return { iceServers, ttlSeconds: turn.ttlSeconds };
}
