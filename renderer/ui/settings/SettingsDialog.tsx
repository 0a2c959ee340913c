/** Settings: devices (chosen before or during a call) and the file-size limit for calls. */
import { useId, useState, type ReactNode } from 'react';
import type { Settings } from '../../../preload/contract';
import { callMemoryCap, formatBytes } from '../../call/fileTransferProtocol';
import type { DeviceKind, DeviceLists } from '../../media/devices';
import type { BlockedPerson } from '../../state/blocking';
import { useT } from '../../i18n';
import { Dialog } from '../Dialog';
import { AppearanceSettings } from './AppearanceSettings';
import { BlockedSettings } from './BlockedSettings';
import { DesktopAppSettings } from './DesktopAppSettings';
import { DeviceSelects } from './DeviceSelects';
import { LanguageSettings } from './LanguageSettings';
import { DownloadFolderField, type DownloadFolderControl } from './DownloadFolderField';
import { PrivacySettings } from './PrivacySettings';
import { RingPreviewSettings } from './RingPreviewSettings';
import { StrangerCallsSettings } from './StrangerCallsSettings';

const MB = 1024 * 1024;
const MIN_MB = 1;
const MAX_MB = 2048;

interface SettingsDialogProps {
  settings: Settings;
  lists: DeviceLists;
  onChooseDevice(kind: DeviceKind, deviceId: string | null): void;
  onMaxFileBytes(bytes: number): Promise<void>;
  /** Relay every call through TURN (settings.relayOnly). */
  onRelayOnly(on: boolean): Promise<void>;
  /** My camera on the ringing card while a call rings (settings.ringPreview); absent: the section is not shown. */
  onRingPreview?(on: boolean): Promise<void>;
  /** Calls from people not in my contacts (settings.strangerCalls); absent: the section is not shown. */
  onStrangerCalls?(choice: Settings['strangerCalls']): Promise<void>;
  /** Settings → Blocked: settings.blockedUserIds with the names known for them. */
  blocked?: readonly BlockedPerson[];
  onUnblock?(person: BlockedPerson): void;
  /** Desktop: where received files are saved; null in the browser (files stay in memory until saved). */
  downloadFolder?: DownloadFolderControl | null;
  /** Settings → Your devices (DevicesSettings): your ID, linking, earlier contacts; shown first. */
  yourDevices?: ReactNode;
  /** Settings → Server (useServerUi): join, host, share how to join; shown after Your devices. */
  server?: ReactNode;
  onClose(): void;
}

export function SettingsDialog(props: SettingsDialogProps) {
  const { settings, lists, onChooseDevice, onMaxFileBytes, onRelayOnly, onClose } = props;
  const downloadFolder = props.downloadFolder ?? null;
  const { t } = useT();
  const limitId = useId();
  const hintId = useId();
  const [limit, setLimit] = useState(String(Math.round(settings.maxFileBytes / MB)));
  const [error, setError] = useState<string | null>(null);

  const saveLimit = (): void => {
    const mb = Number(limit);
    if (!Number.isFinite(mb) || mb < MIN_MB || mb > MAX_MB) {
      setError(t('settings.files.limitRange', { min: MIN_MB, max: MAX_MB }));
      return;
    }
    setError(null);
    if (Math.round(mb * MB) === settings.maxFileBytes) return;
    onMaxFileBytes(Math.round(mb * MB)).catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  };

  return (
    <Dialog title={t('settings.title')} onClose={onClose}>
      {props.yourDevices}
      {props.server}
      <section className="settings-section" aria-labelledby={`${limitId}-devices`}>
        <h3 id={`${limitId}-devices`} className="settings-section__title">
          {t('settings.devices.title')}
        </h3>
        <p className="field__hint">{t('settings.devices.hint')}</p>
        <DeviceSelects lists={lists} chosen={settings.devices} onChoose={onChooseDevice} />
      </section>
      <section className="settings-section" aria-labelledby={`${limitId}-files`}>
        <h3 id={`${limitId}-files`} className="settings-section__title">
          {t('settings.files.title')}
        </h3>
        <div className="field">
          <label className="field__label" htmlFor={limitId}>
            {t('settings.files.limitLabel')}
          </label>
          <input
            id={limitId}
            className={`field__input${error ? ' field__input--invalid' : ''}`}
            type="number"
            inputMode="numeric"
            min={MIN_MB}
            max={MAX_MB}
            value={limit}
            aria-describedby={hintId}
            aria-invalid={error !== null}
            onChange={(e) => setLimit(e.target.value)}
            onBlur={saveLimit}
            onKeyDown={(e) => {
              if (e.key === 'Enter') saveLimit();
            }}
          />
          <p id={hintId} className={error ? 'field__error' : 'field__hint'} role={error ? 'alert' : undefined}>
            {error ??
              (downloadFolder
                ? t('settings.files.nowDesktop', { size: formatBytes(settings.maxFileBytes) })
                : t('settings.files.nowBrowser', {
                    size: formatBytes(settings.maxFileBytes),
                    cap: formatBytes(callMemoryCap(settings.maxFileBytes)),
                  }))}
          </p>
        </div>
        {downloadFolder && <DownloadFolderField control={downloadFolder} />}
      </section>
      <AppearanceSettings />
      <DesktopAppSettings />
      <LanguageSettings />
      <PrivacySettings relayOnly={settings.relayOnly} onRelayOnly={onRelayOnly} />
      {props.onRingPreview && <RingPreviewSettings ringPreview={settings.ringPreview} onRingPreview={props.onRingPreview} />}
      {props.onStrangerCalls && <StrangerCallsSettings strangerCalls={settings.strangerCalls} onStrangerCalls={props.onStrangerCalls} />}
      {props.blocked && props.onUnblock && <BlockedSettings people={props.blocked} onUnblock={props.onUnblock} />}
    </Dialog>
  );
}
