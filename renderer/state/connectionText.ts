/**
 * The header's connection indicator and, when the server refused us, what the
 * person can do about it. Pure: ConnectionState in, words out.
 */
import { currentLanguage, t } from '../i18n';
import type { ConnectionState } from '../signaling/client';

export type ConnectionTone = 'pending' | 'ok' | 'warning' | 'error';

/** What the refusal banner offers. */
export type RefusalAction = 'password' | 'update' | 'rename' | 'none';

export interface ConnectionText {
  label: string;
  tone: ConnectionTone;
  detail: string | null;
  action: RefusalAction;
  /** The server's own words about a refusal, shown apart from ours. */
  serverMessage?: string;
}

export interface ConnectionContext {
  /** A password was sent with the refused handshake (so it was wrong, not missing). */
  passwordSent: boolean;
}

export function serverLabel(url: string): string {
  // Not a URL (a typo in settings): shown as typed. canParse, not a catch: this runs on every render.
  return URL.canParse(url) ? new URL(url).host || url : url;
}

export function describeConnection(
  state: ConnectionState | null,
  context: ConnectionContext = { passwordSent: false },
): ConnectionText {
  if (state === null) return { label: t('connection.starting'), tone: 'pending', detail: null, action: 'none' };
  switch (state.phase) {
    case 'connecting':
      return { label: t('connection.connecting'), tone: 'pending', detail: t('connection.connectingTo', { server: serverLabel(state.url) }), action: 'none' };
    case 'online':
      return { label: t('connection.online'), tone: 'ok', detail: t('connection.onlineTo', { server: serverLabel(state.url) }), action: 'none' };
    case 'reconnecting': {
      const server = serverLabel(state.url);
      return {
        label: state.attempt > 0 ? t('connection.reconnectingAttempt', { attempt: state.attempt }) : t('connection.reconnecting'),
        tone: 'warning',
        detail: state.lastError ? t('connection.lostWhy', { server, error: state.lastError }) : t('connection.lost', { server }),
        action: 'none',
      };
    }
    case 'refused': {
      const text = describeRefusal(state, context);
      // The server writes English: beside the text for its code, its own words help only an
      // English reader; in another language the code's text stands alone (issue 16.1), and an
      // unknown code's detail carries the server's words as the fallback.
      const serverMessage = currentLanguage() === 'en' ? state.message.trim() : '';
      return serverMessage ? { ...text, serverMessage } : text;
    }
    case 'closed':
      return { label: t('connection.offline'), tone: 'error', detail: t('connection.offlineDetail'), action: 'none' };
  }
}

function describeRefusal(state: Extract<ConnectionState, { phase: 'refused' }>, context: ConnectionContext): ConnectionText {
  const server = serverLabel(state.url);
  switch (state.code) {
    case 'auth_failed':
      return context.passwordSent
        ? {
            label: t('connection.wrongPassword'),
            tone: 'error',
            detail: t('connection.wrongPasswordDetail', { server }),
            action: 'password',
          }
        : {
            label: t('connection.passwordNeeded'),
            tone: 'error',
            detail: t('connection.passwordNeededDetail', { server }),
            action: 'password',
          };
    case 'protocol_mismatch':
      return {
        label: t('connection.update'),
        tone: 'error',
        detail: t('connection.updateDetail', { server }),
        action: 'update',
      };
    case 'invalid_identity':
      // The handshake's display name is checked with the identity, so the server's
      // words say which of the two it refused.
      return /display ?name/i.test(state.message)
        ? {
            label: t('connection.nameRefused'),
            tone: 'error',
            detail: t('connection.nameRefusedDetail', { server }),
            action: 'rename',
          }
        : {
            label: t('connection.identity'),
            tone: 'error',
            detail: t('connection.identityDetail', { server }),
            action: 'none',
          };
    case 'origin_forbidden':
      return {
        label: t('connection.forbidden'),
        tone: 'error',
        detail: t('connection.forbiddenDetail', { server }),
        action: 'none',
      };
    case 'rate_limited':
      // Both a kick for flooding events and a refusal after too many failed
      // sign-ins from this network address end here; the server's own words
      // (shown beside this) say which.
      return {
        label: t('connection.rateLimited'),
        tone: 'error',
        detail: t('connection.rateLimitedDetail', { server }),
        action: 'none',
      };
    case 'too_many_connections':
      return {
        label: t('connection.tooManyConnections'),
        tone: 'error',
        detail: t('connection.tooManyConnectionsDetail', { server }),
        action: 'none',
      };
    case 'too_many_devices':
      return {
        label: t('connection.tooManyDevices'),
        tone: 'error',
        detail: t('connection.tooManyDevicesDetail', { server }),
        action: 'none',
      };
    default:
      return { label: t('connection.refused'), tone: 'error', detail: t('connection.refusedDetail', { server, message: state.message }), action: 'none' };
  }
}
