/**
 * The header's connection indicator and, when the server refused us, what the
 * person can do about it. Pure: ConnectionState in, words out.
 */
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
  if (state === null) return { label: 'Starting…', tone: 'pending', detail: null, action: 'none' };
  switch (state.phase) {
    case 'connecting':
      return { label: 'Connecting…', tone: 'pending', detail: `Connecting to ${serverLabel(state.url)}`, action: 'none' };
    case 'online':
      return { label: 'Online', tone: 'ok', detail: `Connected to ${serverLabel(state.url)}`, action: 'none' };
    case 'reconnecting': {
      const attempt = state.attempt > 0 ? ` (attempt ${state.attempt})` : '';
      const why = state.lastError ? ` Last error: ${state.lastError}.` : '';
      return {
        label: `Reconnecting${attempt}…`,
        tone: 'warning',
        detail: `Lost the connection to ${serverLabel(state.url)}. Parley keeps trying.${why}`,
        action: 'none',
      };
    }
    case 'refused': {
      const text = describeRefusal(state, context);
      const serverMessage = state.message.trim();
      return serverMessage ? { ...text, serverMessage } : text;
    }
    case 'closed':
      return { label: 'Offline', tone: 'error', detail: 'Not connected to a server.', action: 'none' };
  }
}

function describeRefusal(state: Extract<ConnectionState, { phase: 'refused' }>, context: ConnectionContext): ConnectionText {
  const server = serverLabel(state.url);
  switch (state.code) {
    case 'auth_failed':
      return context.passwordSent
        ? {
            label: 'Wrong password',
            tone: 'error',
            detail: `${server} did not accept that password. Check it with the person who runs the server and try again.`,
            action: 'password',
          }
        : {
            label: 'Password needed',
            tone: 'error',
            detail: `${server} asks for a password. Enter it to connect.`,
            action: 'password',
          };
    case 'protocol_mismatch':
      return {
        label: 'Update Parley',
        tone: 'error',
        detail: `${server} runs a different version of Parley that this one cannot talk to. Update Parley to the server's version, then reconnect.`,
        action: 'update',
      };
    case 'invalid_identity':
      // The handshake's display name is checked with the identity, so the server's
      // words say which of the two it refused.
      return /display ?name/i.test(state.message)
        ? {
            label: 'Name refused',
            tone: 'error',
            detail: `${server} refused this display name. Choose another one.`,
            action: 'rename',
          }
        : {
            label: 'Identity not accepted',
            tone: 'error',
            detail: `${server} could not check this device's key, so it did not let it sign in as you. Try again; if it keeps happening, this app and the server may be different versions of Parley — update Parley, or link this device to your account again.`,
            action: 'none',
          };
    case 'origin_forbidden':
      return {
        label: 'Not allowed',
        tone: 'error',
        detail: `${server} does not accept connections from this page. Ask the person who runs the server to allow this address.`,
        action: 'none',
      };
    case 'rate_limited':
      // Both a kick for flooding events and a refusal after too many failed
      // sign-ins from this network address end here; the server's own words
      // (shown beside this) say which.
      return {
        label: 'Slow down',
        tone: 'error',
        detail: `${server} turned this window away for too many requests or sign-in attempts. Wait a minute, then reload to connect again.`,
        action: 'none',
      };
    case 'too_many_connections':
      return {
        label: 'Too many connections',
        tone: 'error',
        detail: `${server} has too many connections from your network address right now. Close other Parley windows or wait a minute, then reload.`,
        action: 'none',
      };
    case 'too_many_devices':
      return {
        label: 'Too many devices',
        tone: 'error',
        detail: `You are signed in to ${server} on the most devices it allows. Close Parley on another device, then reload.`,
        action: 'none',
      };
    default:
      return { label: 'Refused', tone: 'error', detail: `${server} refused the connection: ${state.message}`, action: 'none' };
  }
}
