/**
 * "Parley servers on your network": what mDNS (_parley._tcp) found, newest list
 * from the host. Two clicks to join: pick one here, then confirm its fingerprint in
 * JoinServerDialog. The fingerprint in an announcement is only a claim (anyone on
 * the network can announce), which is why the person confirms it.
 */
import { useId } from 'react';
import { joinRefSchema, type DiscoveredServer, type JoinRef } from '../../../preload/contract';
import { useT } from '../../i18n';

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
  const { t } = useT();
  const id = useId();
  return (
    <section className="settings-subsection" aria-labelledby={`${id}-title`}>
      <h4 id={`${id}-title`} className="settings-section__title">
        {t('nearbyServers.title')}
      </h4>
      {servers === null ? (
        <p className="field__hint">{unavailable ?? t('nearbyServers.needsDesktop')}</p>
      ) : servers.length === 0 ? (
        <p className="field__hint" role="status">
          {t('nearbyServers.looking')}
        </p>
      ) : (
        <ul className="nearby-servers" aria-label={t('nearbyServers.title')}>
          {servers.map((server) => {
            const invite = nearbyInvite(server);
            const why = !server.compatible
              ? t('nearbyServers.otherVersion')
              : !server.tls
                ? t('nearbyServers.noTls')
                : invite === null
                  ? t('nearbyServers.badAddress')
                  : null;
            return (
              <li key={server.instance} className="nearby-servers__item">
                <span className="nearby-servers__name">{server.name}</span>
                <span className="field__hint">
                  {server.url}
                  {server.passwordRequired ? t('nearbyServers.needsPassword') : ''}
                  {why ? ` · ${why}` : ''}
                </span>
                <button
                  type="button"
                  className="button button--secondary button--small"
                  disabled={why !== null || invite === null}
                  aria-label={t('nearbyServers.joinWho', { name: server.name })}
                  onClick={() => invite && onPick(invite, server)}
                >
                  {t('nearbyServers.join')}
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
