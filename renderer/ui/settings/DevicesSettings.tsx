/**
 * Settings → Your devices: your ID (derived from your key), linking a new device
 * to your account (on the device that holds the user key), using this device with
 * an existing account (pasting a link code), and the earlier contacts the move to
 * keys set aside. The protocol half of linking is renderer/identity/linking.ts.
 */
import { useEffect, useId, useRef, useState } from 'react';
import type { LegacyRecord } from '../../../preload/contract';
import type { DeviceIdentity } from '../../identity/deviceIdentity';
import type { KeyStore } from '../../identity/keyStore';
import {
  LINK_CODE_TTL_MS,
  answerLink,
  linkThisDevice,
  newLinkCode,
  watchLinkRequests,
  type LinkChannel,
  type LinkCode,
  type LinkRequest,
} from '../../identity/linking';
import { CopyField } from '../contacts/CopyField';
import { useNow } from '../useNow';

interface DevicesSettingsProps {
  identity: DeviceIdentity;
  keys: KeyStore;
  /** The session's signaling client; null while there is none. */
  channel: LinkChannel | null;
  online: boolean;
  legacy: LegacyRecord | null;
  /** This device now uses another identity (it was linked): reconnect as it. */
  onLinked(identity: DeviceIdentity): void;
}

const words = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export function DevicesSettings({ identity, keys, channel, online, legacy, onLinked }: DevicesSettingsProps) {
  const id = useId();
  return (
    <section className="settings-section" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} className="settings-section__title">
        Your devices
      </h3>
      <CopyField
        label="Your ID"
        value={identity.userId}
        hint="It comes from your key, which never leaves your devices: nobody else can use it."
      />
      <p className="field__hint">
        This device: <code>{identity.deviceId}</code>
        {identity.canLink ? '' : ' (linked to your account)'}
      </p>
      {identity.canLink ? (
        <LinkNewDevice identity={identity} channel={channel} online={online} />
      ) : (
        <p className="field__hint">New devices are linked from the device where you first set up Parley.</p>
      )}
      <UseExistingAccount identity={identity} keys={keys} channel={channel} online={online} onLinked={onLinked} />
      {legacy && (legacy.favourites.length > 0 || legacy.blocked.length > 0) && <EarlierContacts legacy={legacy} />}
    </section>
  );
}

/** Device 1: a one-time code, and the question when a device asks with it. */
function LinkNewDevice({ identity, channel, online }: { identity: DeviceIdentity; channel: LinkChannel | null; online: boolean }) {
  const [code, setCode] = useState<LinkCode | null>(null);
  const [asking, setAsking] = useState<LinkRequest | null>(null);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const now = useNow(1_000);
  const codeRef = useRef<LinkCode | null>(null);
  codeRef.current = code;

  useEffect(() => {
    if (channel === null) return;
    return watchLinkRequests(channel, () => codeRef.current, Date.now, (request) => {
      setAsking(request);
      setOutcome(null);
    });
  }, [channel]);

  const answer = async (accept: boolean): Promise<void> => {
    if (channel === null || asking === null) return;
    setBusy(true);
    try {
      await answerLink(channel, identity, asking, accept);
      // One use: answered either way, the code is spent.
      setCode(null);
      setOutcome(
        accept
          ? { ok: true, text: `Linked “${asking.displayName}”. It now signs in as you.` }
          : { ok: true, text: `Declined “${asking.displayName}”. The code is no longer valid.` },
      );
    } catch (error) {
      setOutcome({ ok: false, text: `Could not answer the link request: ${words(error)}` });
    } finally {
      setAsking(null);
      setBusy(false);
    }
  };

  const expired = code !== null && now > code.expiresAt;
  // `now` ticks once a second and may be a little older than the code: never more than its lifetime.
  const minutesLeft = code === null ? 0 : Math.min(LINK_CODE_TTL_MS / 60_000, Math.max(1, Math.ceil((code.expiresAt - now) / 60_000)));

  return (
    <div className="devices__block">
      {code === null || expired ? (
        <>
          {expired && <p className="field__hint">That code has expired.</p>}
          <button
            type="button"
            className="button button--secondary"
            disabled={!online}
            title={online ? undefined : 'Connect to the server first'}
            onClick={() => {
              setOutcome(null);
              setCode(newLinkCode(identity.userId, Date.now(), (bytes) => crypto.getRandomValues(bytes)));
            }}
          >
            {expired ? 'Make a new code' : 'Link a new device'}
          </button>
          <p className="field__hint">Use Parley on another computer or browser as you: make a code here, paste it there.</p>
        </>
      ) : (
        <>
          <CopyField
            label="Link code"
            value={code.text}
            hint={`Works once, for ${minutesLeft} more minute${minutesLeft === 1 ? '' : 's'}. On the new device open Settings → Your devices → Use this device with an existing account, and paste it. Keep this window open.`}
          />
          <button type="button" className="button button--secondary button--small" onClick={() => setCode(null)}>
            Cancel the code
          </button>
        </>
      )}
      {asking && (
        <div className="devices__question" role="alertdialog" aria-label="Link a device">
          <p>Link the device “{asking.displayName}” to your account? It will sign in as you, and you can be called on it.</p>
          <div className="name-form__actions">
            <button type="button" className="button button--secondary" disabled={busy} onClick={() => void answer(false)}>
              Decline
            </button>
            <button type="button" className="button button--primary" disabled={busy} onClick={() => void answer(true)}>
              Link
            </button>
          </div>
        </div>
      )}
      {outcome && (
        <p className={outcome.ok ? 'field__hint' : 'field__error'} role={outcome.ok ? 'status' : 'alert'}>
          {outcome.text}
        </p>
      )}
    </div>
  );
}

/** Device 2: paste a code from the account's first device. */
function UseExistingAccount(props: {
  identity: DeviceIdentity;
  keys: KeyStore;
  channel: LinkChannel | null;
  online: boolean;
  onLinked(identity: DeviceIdentity): void;
}) {
  const { identity, keys, channel, online, onLinked } = props;
  const inputId = useId();
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [state, setState] = useState<{ phase: 'idle' | 'waiting' | 'linked' } | { phase: 'failed'; message: string }>({ phase: 'idle' });
  const waiting = useRef<AbortController | null>(null);
  // Closing Settings stops waiting for an answer.
  useEffect(() => () => waiting.current?.abort(), []);

  const submit = async (): Promise<void> => {
    if (channel === null || !online) {
      setState({ phase: 'failed', message: 'This device is not connected to the server. Wait until it is online, then try again.' });
      return;
    }
    setState({ phase: 'waiting' });
    const controller = new AbortController();
    waiting.current = controller;
    try {
      const linked = await linkThisDevice({ channel, identity, keys, code: text, signal: controller.signal });
      setState({ phase: 'linked' });
      onLinked(linked);
    } catch (error) {
      if (controller.signal.aborted) setState({ phase: 'idle' });
      else setState({ phase: 'failed', message: words(error) });
    } finally {
      if (waiting.current === controller) waiting.current = null;
    }
  };

  if (!open) {
    return (
      <div className="devices__block">
        <button type="button" className="button button--secondary" onClick={() => setOpen(true)}>
          Use this device with an existing account
        </button>
      </div>
    );
  }
  return (
    <form
      className="devices__block"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <p className="field__hint">
        This device then becomes one of that account’s devices. Its own ID ({identity.userId}) is replaced and does not come back: anyone
        who added it must add you again.
      </p>
      <label className="field__label" htmlFor={inputId}>
        Link code from your other device
      </label>
      <input
        id={inputId}
        className="field__input"
        value={text}
        spellCheck={false}
        autoComplete="off"
        placeholder="parley-link:…"
        onChange={(e) => {
          setText(e.target.value);
          if (state.phase === 'failed') setState({ phase: 'idle' });
        }}
      />
      {state.phase === 'waiting' && (
        <p className="field__hint" role="status">
          Waiting for your other device to accept… Keep Parley open on both.
        </p>
      )}
      {state.phase === 'linked' && (
        <p className="field__hint" role="status">
          This device now uses your account. Parley reconnects as you.
        </p>
      )}
      {state.phase === 'failed' && (
        <p className="field__error" role="alert">
          {state.message}
        </p>
      )}
      <div className="name-form__actions">
        <button
          type="button"
          className="button button--secondary"
          onClick={() => {
            waiting.current?.abort();
            setOpen(false);
          }}
        >
          Cancel
        </button>
        <button type="submit" className="button button--primary" disabled={text.trim() === '' || state.phase === 'waiting'}>
          Link this device
        </button>
      </div>
    </form>
  );
}

/** What the move to keys set aside, so nothing is silently lost. */
function EarlierContacts({ legacy }: { legacy: LegacyRecord }) {
  const id = useId();
  return (
    <div className="devices__block" aria-labelledby={`${id}-title`} role="group">
      <h4 id={`${id}-title`} className="settings-section__title">
        Earlier contacts
      </h4>
      <p className="field__hint">
        Saved before Parley used keys ({new Date(legacy.migratedAt).toLocaleDateString()}). These IDs no longer prove who anyone is: ask each
        person for an invite, or send them yours, to add them again.
      </p>
      {legacy.favourites.length > 0 && (
        <ul className="blocked-list" aria-label="Earlier favourites">
          {legacy.favourites.map((f) => (
            <li key={f.userId} className="blocked-list__row">
              <span className="blocked-list__name">
                {f.displayName} <code className="blocked-list__id">{f.userId}</code>
              </span>
            </li>
          ))}
        </ul>
      )}
      {legacy.blocked.length > 0 && (
        <ul className="blocked-list" aria-label="Earlier blocked people">
          {legacy.blocked.map((b) => (
            <li key={b.userId} className="blocked-list__row">
              <span className="blocked-list__name">
                {b.displayName ?? 'Unknown person'} (blocked) <code className="blocked-list__id">{b.userId}</code>
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
