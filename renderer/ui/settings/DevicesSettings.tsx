/**
 * Settings → Your devices: your ID (derived from your key), linking a new device
 * to your account (on the device that holds the user key), using this device with
 * an existing account (pasting a link code), and the earlier contacts the move to
 * keys set aside. The protocol half of linking is renderer/identity/linking.ts.
 */
import { useEffect, useId, useRef, useState } from 'react';
import { Trans } from 'react-i18next';
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
import { formatDate, useT } from '../../i18n';
import { CopyField } from '../contacts/CopyField';
import { useNow } from '../useNow';
import { serverErrorText } from '../../state/serverErrorText';

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

/** What a link code starts with: the same in every language. */
const LINK_CODE_EXAMPLE = 'parley-link:…';
/** An error in words: a server refusal said for its code in the UI's language, any other error as it reads. */
const words = (error: unknown): string => serverErrorText(error);

export function DevicesSettings({ identity, keys, channel, online, legacy, onLinked }: DevicesSettingsProps) {
  const { t } = useT();
  const id = useId();
  return (
    <section className="settings-section" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} className="settings-section__title">
        {t('yourDevices.title')}
      </h3>
      <CopyField label={t('yourDevices.yourId')} value={identity.userId} hint={t('yourDevices.yourIdHint')} />
      <p className="field__hint">
        <Trans
          t={t}
          i18nKey={identity.canLink ? 'yourDevices.thisDevice' : 'yourDevices.thisDeviceLinked'}
          values={{ id: identity.deviceId }}
          components={{ code: <code /> }}
        />
      </p>
      {identity.canLink ? (
        <LinkNewDevice identity={identity} channel={channel} online={online} />
      ) : (
        <p className="field__hint">{t('yourDevices.linkFromFirst')}</p>
      )}
      <UseExistingAccount identity={identity} keys={keys} channel={channel} online={online} onLinked={onLinked} />
      {legacy && (legacy.favourites.length > 0 || legacy.blocked.length > 0) && <EarlierContacts legacy={legacy} />}
    </section>
  );
}

/** Device 1: a one-time code, and the question when a device asks with it. */
function LinkNewDevice({ identity, channel, online }: { identity: DeviceIdentity; channel: LinkChannel | null; online: boolean }) {
  const { t } = useT();
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
          ? { ok: true, text: t('yourDevices.linked', { name: asking.displayName }) }
          : { ok: true, text: t('yourDevices.declined', { name: asking.displayName }) },
      );
    } catch (error) {
      setOutcome({ ok: false, text: t('yourDevices.answerFailed', { reason: words(error) }) });
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
          {expired && <p className="field__hint">{t('yourDevices.expired')}</p>}
          <button
            type="button"
            className="button button--secondary"
            disabled={!online}
            title={online ? undefined : t('yourDevices.connectFirst')}
            onClick={() => {
              setOutcome(null);
              setCode(newLinkCode(identity.userId, Date.now(), (bytes) => crypto.getRandomValues(bytes)));
            }}
          >
            {expired ? t('yourDevices.newCode') : t('yourDevices.linkNew')}
          </button>
          <p className="field__hint">{t('yourDevices.linkNewHint')}</p>
        </>
      ) : (
        <>
          <CopyField
            label={t('yourDevices.linkCode')}
            value={code.text}
            hint={t('yourDevices.linkCodeHint', { count: minutesLeft })}
          />
          <button type="button" className="button button--secondary button--small" onClick={() => setCode(null)}>
            {t('yourDevices.cancelCode')}
          </button>
        </>
      )}
      {asking && (
        <div className="devices__question" role="alertdialog" aria-label={t('yourDevices.question')}>
          <p>{t('yourDevices.questionText', { name: asking.displayName })}</p>
          <div className="name-form__actions">
            <button type="button" className="button button--secondary" disabled={busy} onClick={() => void answer(false)}>
              {t('yourDevices.decline')}
            </button>
            <button type="button" className="button button--primary" disabled={busy} onClick={() => void answer(true)}>
              {t('yourDevices.link')}
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
  const { t } = useT();
  const inputId = useId();
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [state, setState] = useState<{ phase: 'idle' | 'waiting' | 'linked' } | { phase: 'failed'; message: string }>({ phase: 'idle' });
  const waiting = useRef<AbortController | null>(null);
  // Closing Settings stops waiting for an answer.
  useEffect(() => () => waiting.current?.abort(), []);

  const submit = async (): Promise<void> => {
    if (channel === null || !online) {
      setState({ phase: 'failed', message: t('yourDevices.notConnected') });
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
          {t('yourDevices.useExisting')}
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
        {t('yourDevices.useExistingHint', { id: identity.userId })}
      </p>
      <label className="field__label" htmlFor={inputId}>
        {t('yourDevices.codeFromOther')}
      </label>
      <input
        id={inputId}
        className="field__input"
        value={text}
        spellCheck={false}
        autoComplete="off"
        placeholder={LINK_CODE_EXAMPLE}
        onChange={(e) => {
          setText(e.target.value);
          if (state.phase === 'failed') setState({ phase: 'idle' });
        }}
      />
      {state.phase === 'waiting' && (
        <p className="field__hint" role="status">
          {t('yourDevices.waiting')}
        </p>
      )}
      {state.phase === 'linked' && (
        <p className="field__hint" role="status">
          {t('yourDevices.nowLinked')}
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
          {t('common.cancel')}
        </button>
        <button type="submit" className="button button--primary" disabled={text.trim() === '' || state.phase === 'waiting'}>
          {t('yourDevices.linkThis')}
        </button>
      </div>
    </form>
  );
}

/** What the move to keys set aside, so nothing is silently lost. */
function EarlierContacts({ legacy }: { legacy: LegacyRecord }) {
  const { t } = useT();
  const id = useId();
  return (
    <div className="devices__block" aria-labelledby={`${id}-title`} role="group">
      <h4 id={`${id}-title`} className="settings-section__title">
        {t('yourDevices.earlier')}
      </h4>
      <p className="field__hint">{t('yourDevices.earlierHint', { date: formatDate(legacy.migratedAt, { dateStyle: 'medium' }) })}</p>
      {legacy.favourites.length > 0 && (
        <ul className="blocked-list" aria-label={t('yourDevices.earlierFavourites')}>
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
        <ul className="blocked-list" aria-label={t('yourDevices.earlierBlocked')}>
          {legacy.blocked.map((b) => (
            <li key={b.userId} className="blocked-list__row">
              <span className="blocked-list__name">
                {t('yourDevices.blockedName', { name: b.displayName ?? t('blockedSettings.unknownPerson') })} <code className="blocked-list__id">{b.userId}</code>
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
