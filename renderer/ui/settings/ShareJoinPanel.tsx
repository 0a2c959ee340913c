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
import { useT } from '../../i18n';
import { groupedFingerprint } from './serverLinks';

interface ShareJoinPanelProps {
  /** The server others join: its address as they reach it, fingerprint and password. */
  invite: JoinRef;
}

export function ShareJoinPanel({ invite }: ShareJoinPanelProps) {
  const { t } = useT();
  const id = useId();
  const [withPassword, setWithPassword] = useState(false);
  const [qrFor, setQrFor] = useState<'web' | 'desktop'>('web');
  const desktop = joinLink(invite, withPassword);
  const web = browserJoinLink(invite, withPassword);

  return (
    <section className="settings-subsection share-join" aria-labelledby={`${id}-title`}>
      <h4 id={`${id}-title`} className="settings-section__title">
        {t('shareJoin.title')}
      </h4>
      <CopyField label={t('shareJoin.appLink')} value={desktop} hint={t('shareJoin.appLinkHint')} />
      <CopyField label={t('shareJoin.browserLink')} value={web} hint={t('shareJoin.browserLinkHint')} />
      {invite.fingerprint && (
        <div className="field">
          <span className="field__label">{t('shareJoin.fingerprint')}</span>
          <code className="join-fingerprint" data-testid="share-fingerprint">
            {groupedFingerprint(invite.fingerprint)}
          </code>
          <p className="field__hint">{t('shareJoin.fingerprintHint')}</p>
        </div>
      )}
      {invite.password !== '' && (
        <label className="settings-toggle">
          <input type="checkbox" checked={withPassword} onChange={(e) => setWithPassword(e.target.checked)} />
          <span>{t('shareJoin.withPassword')}</span>
        </label>
      )}
      <div className="share-join__qr">
        <QrCode text={qrFor === 'web' ? web : desktop} label={qrFor === 'web' ? t('shareJoin.qrWeb') : t('shareJoin.qrApp')} />
        <div role="radiogroup" aria-label={t('shareJoin.qrFor')}>
          <label className="settings-toggle">
            <input type="radio" name={`${id}-qr`} checked={qrFor === 'web'} onChange={() => setQrFor('web')} />
            <span>{t('shareJoin.browserChoice')}</span>
          </label>
          <label className="settings-toggle">
            <input type="radio" name={`${id}-qr`} checked={qrFor === 'desktop'} onChange={() => setQrFor('desktop')} />
            <span>{t('shareJoin.appChoice')}</span>
          </label>
        </div>
      </div>
    </section>
  );
}
