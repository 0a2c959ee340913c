/**
 * Settings → Server (issue 13): where this app finds its signaling server.
 * - Off (join a server): the servers to join in failover order, each with its
 *   pinned certificate fingerprint, password and "allow plaintext for this server";
 * - Host on this computer only: the embedded server on 127.0.0.1;
 * - Host for my local network: the embedded server on every interface, with a
 *   self-signed certificate (fingerprint shown), a generated password, and the
 *   addresses others use; plus "Share how to join".
 * Optional STUN/TURN addresses and TURN secret go to the embedded server. Every
 * field is checked (serverLinks.ts) before anything is saved; the host applies the
 * change at once (reconnects, or restarts the embedded server), no app restart.
 */
import { useId, useState } from 'react';
import '../styles/server-settings.css';
import type { DiscoveredServer, HostedServer, JoinRef, ServerChoice, ServerMode } from '../../../preload/contract';
import { t as translate, useT } from '../../i18n';
import { NearbyServers } from './NearbyServers';
import { ShareJoinPanel } from './ShareJoinPanel';
import { checkIceServers, checkPort, checkServerChoice, checkServerList, entryOf, iceText, type ServerEntry } from './serverLinks';

interface ServerSettingsProps {
  /** settings.server now. */
  choice: ServerChoice;
  /** The embedded server now (getHostedServer / onHostedServerChanged); `off` in the browser. */
  hosted: HostedServer;
  /** The browser build cannot host a server: only the join list is offered. */
  canHost: boolean;
  /** mDNS results; null where the host cannot look (the browser), with `nearbyUnavailable` saying why. */
  nearby: readonly DiscoveredServer[] | null;
  nearbyUnavailable?: string;
  /** Checked already; the host may still refuse (its message is shown). Applies at once: no restart. */
  onSave(choice: ServerChoice): Promise<void>;
  /** A nearby server was picked: the caller asks to confirm its fingerprint (JoinServerDialog). */
  onPickNearby(invite: JoinRef, server: DiscoveredServer): void;
}

/** Example values in the fields: addresses and hex, the same in every language. */
const EXAMPLE = { url: 'https://192.168.1.20:7300', fingerprint: 'AB:CD:…', ice: 'turn:turn.example.org:3478' } as const;

const EMPTY_ENTRY: ServerEntry = { url: '', fingerprint: '', password: '', allowPlaintext: false };

export function ServerSettings(props: ServerSettingsProps) {
  const { t } = useT();
  const id = useId();
  const { canHost, hosted, choice } = props;
  const [mode, setMode] = useState<ServerMode>(choice.mode);
  const [servers, setServers] = useState<ServerEntry[]>(choice.join.length > 0 ? choice.join.map(entryOf) : [EMPTY_ENTRY]);
  const [port, setPort] = useState(String(choice.host.port));
  const [ice, setIce] = useState(iceText(choice.host));
  const [turnSecret, setTurnSecret] = useState(choice.host.turnSecret);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const edit = (index: number, patch: Partial<ServerEntry>): void => {
    setServers((list) => list.map((entry, i) => (i === index ? { ...entry, ...patch } : entry)));
  };
  const move = (index: number, by: -1 | 1): void => {
    setServers((list) => {
      const next = [...list];
      const [taken] = next.splice(index, 1);
      if (taken) next.splice(index + by, 0, taken);
      return next;
    });
  };

  const save = (): void => {
    setStatus(null);
    // Only the part the chosen mode uses must be complete; the other is kept as it was stored.
    const list = mode === 'off' ? checkServerList(servers) : { ok: true as const, value: choice.join };
    if (!list.ok) return setError(list.message);
    const checkedPort = mode === 'off' ? { ok: true as const, value: choice.host.port } : checkPort(port);
    if (!checkedPort.ok) return setError(checkedPort.message);
    const iceServers =
      mode === 'off'
        ? { ok: true as const, value: { stunUrls: choice.host.stunUrls, turnUrls: choice.host.turnUrls, turnSecret: choice.host.turnSecret } }
        : checkIceServers(ice, turnSecret);
    if (!iceServers.ok) return setError(iceServers.message);
    const whole = checkServerChoice({ mode, join: list.value, host: { ...choice.host, port: checkedPort.value, ...iceServers.value } });
    if (!whole.ok) return setError(whole.message);
    setError(null);
    setBusy(true);
    props.onSave(whole.value).then(
      () => {
        setBusy(false);
        setStatus(mode === 'off' ? translate('serverSettings.savedJoin') : translate('serverSettings.savedHost'));
      },
      (e: unknown) => {
        setBusy(false);
        setError(translate('serverSettings.notSaved', { reason: e instanceof Error ? e.message : String(e) }));
      },
    );
  };

  const running = hosted.state === 'running' && hosted.mode === mode ? hosted : null;
  const share: JoinRef | null =
    running && running.mode === 'lan' && running.urls[0]
      ? { server: running.urls[0].replace(/\/$/, ''), fingerprint: running.fingerprint, password: choice.host.password }
      : null;
  const hostsHere = mode !== 'off';
  const showHosting = hosted.state !== 'off' && hosted.mode === mode && choice.mode === mode;

  return (
    <section className="settings-section server-settings" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} className="settings-section__title">
        {t('serverSettings.title')}
      </h3>
      <div role="radiogroup" aria-label={t('serverSettings.title')} className="server-settings__modes">
        <label className="settings-toggle">
          <input type="radio" name={`${id}-mode`} checked={mode === 'off'} onChange={() => setMode('off')} />
          <span>{t('serverSettings.modeOff')}</span>
        </label>
        <label className="settings-toggle">
          <input type="radio" name={`${id}-mode`} checked={mode === 'local'} disabled={!canHost} onChange={() => setMode('local')} />
          <span>{t('serverSettings.modeLocal')}</span>
        </label>
        <label className="settings-toggle">
          <input type="radio" name={`${id}-mode`} checked={mode === 'lan'} disabled={!canHost} onChange={() => setMode('lan')} />
          <span>{t('serverSettings.modeLan')}</span>
        </label>
        {!canHost && <p className="field__hint">{t('serverSettings.browserCannotHost')}</p>}
      </div>

      {mode === 'off' && (
        <>
          <ol className="server-settings__list" aria-label={t('serverSettings.list')}>
            {servers.map((entry, index) => (
              <li key={index} className="server-settings__entry">
                <label className="field">
                  <span className="field__label">{t('serverSettings.address', { n: index + 1 })}</span>
                  <input className="field__input" value={entry.url} placeholder={EXAMPLE.url} spellCheck={false} onChange={(e) => edit(index, { url: e.target.value })} />
                </label>
                <label className="field">
                  <span className="field__label">{t('serverSettings.fingerprintField')}</span>
                  <input className="field__input" value={entry.fingerprint} placeholder={EXAMPLE.fingerprint} spellCheck={false} onChange={(e) => edit(index, { fingerprint: e.target.value })} />
                </label>
                <label className="field">
                  <span className="field__label">{t('serverSettings.password')}</span>
                  <input className="field__input" type="password" value={entry.password} autoComplete="off" onChange={(e) => edit(index, { password: e.target.value })} />
                </label>
                <label className="settings-toggle">
                  <input type="checkbox" checked={entry.allowPlaintext} onChange={(e) => edit(index, { allowPlaintext: e.target.checked })} />
                  <span>{t('serverSettings.allowPlaintext')}</span>
                </label>
                <p className="field__hint">{t('serverSettings.plaintextHint')}</p>
                <div className="server-settings__entry-actions">
                  <button type="button" className="button button--ghost button--small" disabled={index === 0} onClick={() => move(index, -1)} aria-label={t('serverSettings.moveUp', { n: index + 1 })}>
                    {t('serverSettings.up')}
                  </button>
                  <button
                    type="button"
                    className="button button--ghost button--small"
                    disabled={index === servers.length - 1}
                    onClick={() => move(index, 1)}
                    aria-label={t('serverSettings.moveDown', { n: index + 1 })}
                  >
                    {t('serverSettings.down')}
                  </button>
                  <button
                    type="button"
                    className="button button--ghost button--small"
                    disabled={servers.length === 1}
                    onClick={() => setServers((list) => list.filter((_, i) => i !== index))}
                    aria-label={t('serverSettings.removeWhich', { n: index + 1 })}
                  >
                    {t('serverSettings.remove')}
                  </button>
                </div>
              </li>
            ))}
          </ol>
          <button type="button" className="button button--secondary button--small" disabled={servers.length >= 8} onClick={() => setServers((list) => [...list, EMPTY_ENTRY])}>
            {t('serverSettings.addServer')}
          </button>
          <p className="field__hint">
            {canHost
              ? t('serverSettings.failover')
              : t('serverSettings.browserServer')}
          </p>
          <NearbyServers servers={props.nearby} unavailable={props.nearbyUnavailable} onPick={props.onPickNearby} />
        </>
      )}

      {hostsHere && (
        <>
          <label className="field">
            <span className="field__label">{t('serverSettings.port')}</span>
            <input className="field__input" inputMode="numeric" value={port} onChange={(e) => setPort(e.target.value)} />
          </label>
          <label className="field">
            <span className="field__label">{t('serverSettings.ice')}</span>
            <textarea className="field__input" rows={2} value={ice} placeholder={EXAMPLE.ice} spellCheck={false} onChange={(e) => setIce(e.target.value)} />
          </label>
          <label className="field">
            <span className="field__label">{t('serverSettings.turnSecret')}</span>
            <input className="field__input" type="password" value={turnSecret} autoComplete="off" onChange={(e) => setTurnSecret(e.target.value)} />
          </label>
          <p className="field__hint">
            {mode === 'lan'
              ? t('serverSettings.lanHint')
              : t('serverSettings.localHint')}
          </p>
          {showHosting && (
            <div className="server-settings__hosting" data-testid="hosting-status">
              {hosted.state === 'starting' && <p role="status">{t('serverSettings.starting', { port: hosted.port })}</p>}
              {hosted.state === 'failed' && (
                <p className="field__error" role="alert">
                  {hosted.message}
                </p>
              )}
              {running && (
                <>
                  <p role="status">
                    {running.announcedAs
                      ? t('serverSettings.hostingAnnounced', { port: running.port, name: running.announcedAs })
                      : t('serverSettings.hosting', { port: running.port })}
                  </p>
                  {running.fingerprint && (
                    <p>
                      {t('serverSettings.fingerprintLabel')} <code data-testid="hosting-fingerprint">{running.fingerprint}</code>
                    </p>
                  )}
                  {running.passwordRequired && choice.host.password !== '' && (
                    <p>
                      {t('serverSettings.passwordLabel')} <code data-testid="hosting-password">{choice.host.password}</code>
                    </p>
                  )}
                  {running.urls.length > 0 && (
                    <p>
                      {t('serverSettings.othersUse')} <span data-testid="hosting-urls">{running.urls.join(', ')}</span>
                    </p>
                  )}
                </>
              )}
            </div>
          )}
        </>
      )}

      <button type="button" className="button button--primary button--small" disabled={busy} onClick={save}>
        {busy ? t('serverSettings.saving') : t('serverSettings.save')}
      </button>
      {error && (
        <p className="field__error" role="alert">
          {error}
        </p>
      )}
      {status && !error && (
        <p className="field__hint" role="status">
          {status}
        </p>
      )}
      {share && <ShareJoinPanel invite={share} />}
    </section>
  );
}
