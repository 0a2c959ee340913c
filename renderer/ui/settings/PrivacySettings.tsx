/**
 * Settings → Privacy: relay every call through the server's TURN relay, so the
 * people called never learn this device's IP address (the call engine then asks
 * for relayed ICE candidates only: iceTransportPolicy 'relay').
 */
import { useT } from '../../i18n';
import { ToggleSetting } from './SavedSetting';

interface PrivacySettingsProps {
  relayOnly: boolean;
  onRelayOnly(on: boolean): Promise<void>;
}

export function PrivacySettings({ relayOnly, onRelayOnly }: PrivacySettingsProps) {
  const { t } = useT();
  return (
    <ToggleSetting
      title={t('privacySettings.title')}
      label={t('privacySettings.relayOnly')}
      hint={t('privacySettings.hint')}
      value={relayOnly}
      save={onRelayOnly}
      failed={(e) => t('settings.notSaved', { reason: e instanceof Error ? e.message : String(e) })}
      what="the relay-only choice"
    />
  );
}
