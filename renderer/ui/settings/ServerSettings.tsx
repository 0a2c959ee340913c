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

const EMPTY_ENTRY: ServerEntry = { url: '', fingerprint: '', password: '', allowPlaintext: false };

export function ServerSettings(props: ServerSettingsProps) {
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
        setStatus(mode === 'off' ? 'Saved. Connecting to the first server that answers…' : 'Saved. The server is starting with these settings.');
      },
      (e: unknown) => {
        setBusy(false);
        setError(`Not saved: ${e instanceof Error ? e.message : String(e)}`);
      },
    );
  };

  const running = hosted.state === 'running' && hosted.mode === mode ? hosted : null;
  const share: JoinRef | null =
    running && running.mode === 'lan' && running.urls[0]
      ? { server: running.urls[0].replace(/\/$/, ''), fingerprint: running.fingerprint, password: choice.host.password }
      : null;

  return (
    <section className="settings-section server-settings" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} className="settings-section__title">
        Server
      </h3>
      <div role="radiogroup" aria-label="Server" className="server-settings__modes">
        <label className="settings-toggle">
          <input type="radio" name={`${id}-mode`} checked={mode === 'off'} onChange={() => setMode('off')} />
          <span>Off (join a server)</span>
        </label>
        <label className="settings-toggle">
          <input type="radio" name={`${id}-mode`} checked={mode === 'local'} disabled={!canHost} onChange={() => setMode('local')} />
          <span>Host on this computer only</span>
        </label>
        <label className="settings-toggle">
          <input type="radio" name={`${id}-mode`} checked={mode === 'lan'} disabled={!canHost} onChange={() => setMode('lan')} />
          <span>Host for my local network</span>
        </label>
        {!canHost && <p className="field__hint">A browser cannot host a server: hosting needs the Parley desktop app (or parley-server).</p>}
      </div>

      {mode === 'off' && (
        <>
          <ol className="server-settings__list" aria-label="Servers to join, tried in this order">
            {servers.map((entry, index) => (
              <li key={index} className="server-settings__entry">
                <label className="field">
                  <span className="field__label">Server {index + 1} address</span>
                  <input className="field__input" value={entry.url} placeholder="https://192.168.1.20:7300" spellCheck={false} onChange={(e) => edit(index, { url: e.target.value })} />
                </label>
                <label className="field">
                  <span className="field__label">Certificate fingerprint (SHA-256, for a self-signed certificate)</span>
                  <input className="field__input" value={entry.fingerprint} placeholder="AB:CD:…" spellCheck={false} onChange={(e) => edit(index, { fingerprint: e.target.value })} />
                </label>
                <label className="field">
                  <span className="field__label">Password</span>
                  <input className="field__input" type="password" value={entry.password} autoComplete="off" onChange={(e) => edit(index, { password: e.target.value })} />
                </label>
                <label className="settings-toggle">
                  <input type="checkbox" checked={entry.allowPlaintext} onChange={(e) => edit(index, { allowPlaintext: e.target.checked })} />
                  <span>Allow plaintext for this server</span>
                </label>
                <p className="field__hint">
                  Only for an http:// address on another computer: anyone on that network can then read the password and see who
                  calls whom (calls themselves stay encrypted), and browsers there get no camera or microphone.
                </p>
                <div className="server-settings__entry-actions">
                  <button type="button" className="button button--ghost button--small" disabled={index === 0} onClick={() => move(index, -1)} aria-label={`Move server ${index + 1} up`}>
                    Up
                  </button>
                  <button
                    type="button"
                    className="button button--ghost button--small"
                    disabled={index === servers.length - 1}
                    onClick={() => move(index, 1)}
                    aria-label={`Move server ${index + 1} down`}
                  >
                    Down
                  </button>
                  <button
                    type="button"
                    className="button button--ghost button--small"
                    disabled={servers.length === 1}
                    onClick={() => setServers((list) => list.filter((_, i) => i !== index))}
                    aria-label={`Remove server ${index + 1}`}
                  >
                    Remove
                  </button>
                </div>
              </li>
            ))}
          </ol>
          <button type="button" className="button button--secondary button--small" disabled={servers.length >= 8} onClick={() => setServers((list) => [...list, EMPTY_ENTRY])}>
            Add a server
          </button>
          <p className="field__hint">
            {canHost
              ? 'If the first server does not answer, Parley tries the next.'
              : 'In a browser, Parley always connects to the server that served this page; its password is the one kept here.'}
          </p>
          <NearbyServers servers={props.nearby} unavailable={props.nearbyUnavailable} onPick={props.onPickNearby} />
        </>
      )}

      {mode !== 'off' && (
        <>
          <label className="field">
            <span className="field__label">Port</span>
            <input className="field__input" inputMode="numeric" value={port} onChange={(e) => setPort(e.target.value)} />
          </label>
          <label className="field">
            <span className="field__label">STUN/TURN addresses (optional, one per line)</span>
            <textarea className="field__input" rows={2} value={ice} placeholder="turn:turn.example.org:3478" spellCheck={false} onChange={(e) => setIce(e.target.value)} />
          </label>
          <label className="field">
            <span className="field__label">TURN secret (optional)</span>
            <input className="field__input" type="password" value={turnSecret} autoComplete="off" onChange={(e) => setTurnSecret(e.target.value)} />
          </label>
          <p className="field__hint">
            {mode === 'lan'
              ? 'Others on your network join over https with a certificate this computer makes for itself; Parley makes a password and shows it below.'
              : 'Only this computer can connect: use it to try Parley, or with a browser on this computer.'}
          </p>
          {hosted.state !== 'off' && hosted.mode === mode && choice.mode === mode && (
            <div className="server-settings__hosting" data-testid="hosting-status">
              {hosted.state === 'starting' && <p role="status">Starting the server on port {hosted.port}…</p>}
              {hosted.state === 'failed' && (
                <p className="field__error" role="alert">
                  {hosted.message}
                </p>
              )}
              {running && (
                <>
                  <p role="status">
                    Hosting on port {running.port}
                    {running.announcedAs ? `, announced on your network as “${running.announcedAs}”` : ''}.
                  </p>
                  {running.fingerprint && (
                    <p>
                      Certificate fingerprint: <code data-testid="hosting-fingerprint">{running.fingerprint}</code>
                    </p>
                  )}
                  {running.passwordRequired && choice.host.password !== '' && (
                    <p>
                      Password: <code data-testid="hosting-password">{choice.host.password}</code>
                    </p>
                  )}
                  {running.urls.length > 0 && (
                    <p>
                      Others use: <span data-testid="hosting-urls">{running.urls.join(', ')}</span>
                    </p>
                  )}
                </>
              )}
            </div>
          )}
        </>
      )}

      <button type="button" className="button button--primary button--small" disabled={busy} onClick={save}>
        {busy ? 'Saving…' : 'Save server settings'}
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
