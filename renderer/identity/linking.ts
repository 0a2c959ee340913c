/**
 * Linking a second device to a user (issue 12), both halves:
 *
 * - On a device that holds the user key (`canLink`): "Link a new device" makes a
 *   one-time code — the userId and a 16-byte secret, `parley-link:<userId>:<secret>`
 *   — valid LINK_CODE_TTL_MS or until used. A `link:requested` bearing that secret
 *   is put to the person; on yes, the user key certifies the new device's key and
 *   `link:answer` carries the certificate back. A request with a secret this device
 *   did not issue is left alone (another device of the user may have issued it).
 * - On the new device (its own throwaway identity until then): the code is pasted,
 *   `link:request` sent, and the `link:answered` from that user checked — its user
 *   key's id must be the code's userId and the certificate must be over this
 *   device's own key (keyStore.adoptLink) — before it is stored.
 */
import { KEY_ID_LENGTH, toBase64url } from '../../signaling-server/identity';
import { LIMITS, userIdSchema, type ServerEventPayload } from '../../signaling-server/protocol';
import type { SignalingClient } from '../signaling/client';
import { log } from '../log';
import type { DeviceIdentity } from './deviceIdentity';
import type { KeyStore } from './keyStore';
import { t } from '../i18n';
import { serverErrorText } from '../state/serverErrorText';

export const LINK_CODE_PREFIX = 'parley-link';
export const LINK_CODE_TTL_MS = 10 * 60 * 1000;
/** How long the new device waits for the other device's answer. */
export const LINK_ANSWER_TIMEOUT_MS = 3 * 60 * 1000;

export interface LinkCode {
  userId: string;
  secret: string;
  /** What the person copies: `parley-link:<userId>:<secret>`. */
  text: string;
  expiresAt: number;
}

/** What the signaling client offers linking: parsed events and acked requests. */
export type LinkChannel = Pick<SignalingClient, 'events' | 'request'>;

export type LinkRequest = ServerEventPayload<'link:requested'>;

/** Why linking did not happen, in words for the person. */
export class LinkError extends Error {
  constructor(
    readonly code: 'bad_code' | 'offline' | 'no_answer' | 'declined' | 'invalid_answer' | 'cancelled' | 'failed',
    message: string,
  ) {
    super(message);
    this.name = 'LinkError';
  }
}

const logger = log.child('identity.link');

export function newLinkCode(userId: string, now: number, random: (bytes: Uint8Array<ArrayBuffer>) => Uint8Array<ArrayBuffer>): LinkCode {
  const secret = toBase64url(random(new Uint8Array(16)));
  return { userId, secret, text: `${LINK_CODE_PREFIX}:${userId}:${secret}`, expiresAt: now + LINK_CODE_TTL_MS };
}

/** A pasted code, or a LinkError saying what is wrong with it. Spaces and line breaks around and inside are ignored. */
export function parseLinkCode(text: string): { userId: string; secret: string } {
  const compact = text.replace(/\s+/g, '');
  const parts = compact.split(':');
  if (parts.length !== 3 || parts[0] !== LINK_CODE_PREFIX) {
    throw new LinkError('bad_code', t('linkErrors.notACode', { prefix: LINK_CODE_PREFIX }));
  }
  const [, userId = '', secret = ''] = parts;
  if (userId.length !== KEY_ID_LENGTH || !userIdSchema.safeParse(userId).success) {
    throw new LinkError('bad_code', t('linkErrors.accountDamaged'));
  }
  if (secret.length < 16 || secret.length > LIMITS.inviteSecretMax || !/^[A-Za-z0-9_-]+$/.test(secret)) {
    throw new LinkError('bad_code', t('linkErrors.secretDamaged'));
  }
  return { userId, secret };
}

/**
 * Device 1: hands each `link:requested` bearing the code now shown to `onAsk`;
 * one with the code after it expired is declined at once. Returns the unsubscribe.
 */
export function watchLinkRequests(
  channel: LinkChannel,
  current: () => LinkCode | null,
  now: () => number,
  onAsk: (request: LinkRequest) => void,
): () => void {
  const listener = (request: LinkRequest): void => {
    const code = current();
    if (code === null || request.secret !== code.secret) {
      // Another of this user's devices may have issued it, and it will answer.
      logger.debug(`a link request from device ${request.deviceId} bears no code this device shows; left to the others`);
      return;
    }
    if (now() > code.expiresAt) {
      logger.info(`declined a link request from device ${request.deviceId}: the code had expired`);
      void answerLink(channel, null, request, false).catch((error: unknown) => logger.warn('could not decline an expired link request', error));
      return;
    }
    onAsk(request);
  };
  channel.events.on('link:requested', listener);
  return () => channel.events.off('link:requested', listener);
}

/** Device 1: the person's answer. Yes: the user key certifies the new device's key. */
export async function answerLink(channel: LinkChannel, identity: DeviceIdentity | null, request: LinkRequest, accept: boolean): Promise<void> {
  if (!accept || identity === null) {
    await channel.request('link:answer', { toDevice: request.deviceId, accept: false });
    return;
  }
  const deviceCert = await identity.certifyDevice(request.deviceKey);
  await channel.request('link:answer', { toDevice: request.deviceId, accept: true, userKey: identity.credential.userKey, deviceCert });
}

/**
 * Device 2: asks the code's user to certify this device's key, waits for the
 * answer, checks and stores it, and returns the linked identity (same deviceId,
 * the code's userId).
 */
export async function linkThisDevice(input: {
  channel: LinkChannel;
  identity: DeviceIdentity;
  keys: KeyStore;
  code: string;
  timeoutMs?: number;
  /** The person gave up waiting: stop listening and reject with code 'cancelled'. */
  signal?: AbortSignal;
}): Promise<DeviceIdentity> {
  const { channel, identity, keys } = input;
  const { userId, secret } = parseLinkCode(input.code);
  if (userId === identity.userId) throw new LinkError('bad_code', t('linkErrors.sameAccount'));
  const timeoutMs = input.timeoutMs ?? LINK_ANSWER_TIMEOUT_MS;

  let stop = (): void => undefined;
  // Listening before asking: the answer may come back before the ack.
  const answered = new Promise<ServerEventPayload<'link:answered'>>((resolve, reject) => {
    const listener = (answer: ServerEventPayload<'link:answered'>): void => {
      if (answer.from !== userId) {
        logger.warn(`ignored a link answer from ${answer.from}: this device asked ${userId}`);
        return;
      }
      stop();
      resolve(answer);
    };
    const timer = setTimeout(() => {
      stop();
      reject(
        new LinkError('no_answer', t('linkErrors.noAnswer', { count: Math.max(1, Math.round(timeoutMs / 60_000)) })),
      );
    }, timeoutMs);
    const onAbort = (): void => {
      stop();
      reject(new LinkError('cancelled', t('linkErrors.cancelled')));
    };
    stop = () => {
      clearTimeout(timer);
      channel.events.off('link:answered', listener);
      input.signal?.removeEventListener('abort', onAbort);
    };
    channel.events.on('link:answered', listener);
    if (input.signal?.aborted) onAbort();
    else input.signal?.addEventListener('abort', onAbort);
  });
  // A rejection before anyone awaits it must not count as unhandled.
  answered.catch(() => undefined);

  try {
    await channel.request('link:request', { to: userId, secret, deviceKey: identity.credential.deviceKey });
  } catch (error) {
    stop();
    const offline = (error as { code?: string }).code === 'offline';
    throw new LinkError(offline ? 'offline' : 'failed', offline ? t('linkErrors.offline') : t('linkErrors.notPassed', { reason: serverErrorText(error) }));
  }
  const answer = await answered;
  if (!answer.accepted) {
    throw new LinkError('declined', t('linkErrors.declined'));
  }
  try {
    return await keys.adoptLink({ expectUserId: userId, userKey: answer.userKey, deviceCert: answer.deviceCert });
  } catch (error) {
    logger.error('a link answer did not check out; nothing was stored', error);
    throw new LinkError('invalid_answer', t('linkErrors.invalidAnswer', { reason: error instanceof Error ? error.message : String(error) }));
  }
}
