/**
 * Settings → Server → "Share how to join": the parley://join link for the desktop
 * app, the https link for a browser, the fingerprint to read out, and a QR code of
 * either link. The password goes into the links only when the person ticks it:
 * whoever holds a link with it can sign in.
 */
import { useId, useState } from 'react';
import { CopyField } from '../contacts/CopyField';
import { QrCode } from '../contacts/QrCode';
import { browserJoinLink, joinLink, type JoinRef } from '../../../preload/contract';
import { groupedFingerprint } from './serverLinks';

interface ShareJoinPanelProps {
  /** The server others join: its address as they reach it, fingerprint and password. */
  invite: JoinRef;
}

export function ShareJoinPanel({ invite }: ShareJoinPanelProps) {
  const id = useId();
  const [withPassword, setWithPassword] = useState(false);
  const [qrFor, setQrFor] = useState<'web' | 'desktop'>('web');
  const desktop = joinLink(invite, withPassword);
  const web = browserJoinLink(invite, withPassword);

  return (
    <section className="settings-subsection share-join" aria-labelledby={`${id}-title`}>
      <h4 id={`${id}-title`} className="settings-section__title">
        Share how to join
      </h4>
      <CopyField label="Link for the Parley app" value={desktop} hint="Opens Parley, which asks before it joins." />
      <CopyField label="Link for a browser" value={web} hint="Works in Chrome, Edge, Firefox and Safari on the same network." />
      {invite.fingerprint && (
        <div className="field">
          <span className="field__label">Certificate fingerprint</span>
          <code className="join-fingerprint" data-testid="share-fingerprint">
            {groupedFingerprint(invite.fingerprint)}
          </code>
          <p className="field__hint">
            The browser warns about this server’s certificate because your computer made it itself: check that the fingerprint it
            shows is this one before you continue.
          </p>
        </div>
      )}
      {invite.password !== '' && (
        <label className="settings-toggle">
          <input type="checkbox" checked={withPassword} onChange={(e) => setWithPassword(e.target.checked)} />
          <span>Put the password in the links (anyone with a link can then sign in)</span>
        </label>
      )}
      <div className="share-join__qr">
        <QrCode text={qrFor === 'web' ? web : desktop} label={qrFor === 'web' ? 'QR code of the browser link' : 'QR code of the Parley app link'} />
        <div role="radiogroup" aria-label="QR code for">
          <label className="settings-toggle">
            <input type="radio" name={`${id}-qr`} checked={qrFor === 'web'} onChange={() => setQrFor('web')} />
            <span>Browser link (phones)</span>
          </label>
          <label className="settings-toggle">
            <input type="radio" name={`${id}-qr`} checked={qrFor === 'desktop'} onChange={() => setQrFor('desktop')} />
            <span>Parley app link</span>
          </label>
        </div>
      </div>
    </section>
  );
}
