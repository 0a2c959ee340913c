/**
 * "Parley servers on your network": what mDNS (_parley._tcp) found, newest list
 * from the host. Two clicks to join: pick one here, then confirm its fingerprint in
 * JoinServerDialog. The fingerprint in an announcement is only a claim (anyone on
 * the network can announce), which is why the person confirms it.
 */
import { useId } from 'react';
import { joinRefSchema, type DiscoveredServer, type JoinRef } from '../../../preload/contract';

/** What joining a found server pins; null when its record cannot be joined from a link (no TLS, or not a valid address). */
export function nearbyInvite(server: DiscoveredServer): JoinRef | null {
  const parsed = joinRefSchema.safeParse({ server: server.url.replace(/\/$/, ''), fingerprint: server.fingerprint, password: '' });
  return parsed.success ? parsed.data : null;
}

interface NearbyServersProps {
  /** null: looking is not possible here (the browser build), with `unavailable` saying why. */
  servers: readonly DiscoveredServer[] | null;
  unavailable?: string;
  onPick(invite: JoinRef, server: DiscoveredServer): void;
}

export function NearbyServers({ servers, unavailable, onPick }: NearbyServersProps) {
  const id = useId();
  return (
    <section className="settings-subsection" aria-labelledby={`${id}-title`}>
      <h4 id={`${id}-title`} className="settings-section__title">
        Parley servers on your network
      </h4>
      {servers === null ? (
        <p className="field__hint">{unavailable ?? 'Looking for servers needs the Parley desktop app.'}</p>
      ) : servers.length === 0 ? (
        <p className="field__hint" role="status">
          Looking… none found yet. A server appears here when someone hosts for the local network.
        </p>
      ) : (
        <ul className="nearby-servers" aria-label="Parley servers on your network">
          {servers.map((server) => {
            const invite = nearbyInvite(server);
            const why = !server.compatible
              ? 'runs a different Parley version'
              : !server.tls
                ? 'has no TLS: add it by hand if you allow plaintext'
                : invite === null
                  ? 'announces an address Parley cannot use'
                  : null;
            return (
              <li key={server.instance} className="nearby-servers__item">
                <span className="nearby-servers__name">{server.name}</span>
                <span className="field__hint">
                  {server.url}
                  {server.passwordRequired ? ' · needs a password' : ''}
                  {why ? ` · ${why}` : ''}
                </span>
                <button
                  type="button"
                  className="button button--secondary button--small"
                  disabled={why !== null || invite === null}
                  aria-label={`Join ${server.name}`}
                  onClick={() => invite && onPick(invite, server)}
                >
                  Join…
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
