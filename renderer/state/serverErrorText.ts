/**
 * What a refusal from the signaling server says on screen (issue 16.1). The server's
 * acks carry a stable `error.code` and an English `message`; the code is said in the
 * UI's language, and the server's own words are shown only for a code this client
 * does not know (a newer server). Errors that are not the server's keep their message.
 * Call at the moment the text is shown.
 */
import { ERROR_CODES, type ErrorCode } from '../../signaling-server/protocol';
import { t } from '../i18n';
import { log } from '../log';
import { RequestError } from '../signaling/client';

const logger = log.child('serverErrors');

/** The codes a RequestError carries: the protocol's, and the client's own 'timeout' and 'offline'. */
export type ServerErrorCode = ErrorCode | 'timeout' | 'offline';
const KNOWN: ReadonlySet<string> = new Set<string>([...ERROR_CODES, 'timeout', 'offline']);

/** True when `error` is a refusal with a code this client words itself. */
export function isServerError(error: unknown): error is RequestError & { code: ServerErrorCode } {
  return error instanceof RequestError && KNOWN.has(error.code);
}

/** The sentence for a server refusal in the UI's language; any other error's own message. */
export function serverErrorText(error: unknown): string {
  if (isServerError(error)) {
    // The server's English words stay in the log: they may say more (a wait time, a name).
    logger.info(`server refusal ${error.code}: ${error.message}`);
    // A cooldown's wait is worth keeping: the server's sentences end "Try again in N s.".
    const wait = error.code === 'rate_limited' ? /in (\d+) s\b/.exec(error.message)?.[1] : undefined;
    if (wait !== undefined) return t('serverErrors.rate_limited_wait', { seconds: Number(wait) });
    return t(`serverErrors.${error.code}`);
  }
  return error instanceof Error ? error.message : String(error);
}
