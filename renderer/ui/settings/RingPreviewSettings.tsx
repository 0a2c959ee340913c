/**
 * Settings → Ringing: my camera on the ringing card while a call rings (issue 15).
 * On (the default), the camera starts with the ring, is shown only to me, sends
 * nothing before Accept, and Accept reuses it (no camera start at Accept). Off, no
 * camera runs before Accept.
 */
import { useT } from '../../i18n';
import { ToggleSetting } from './SavedSetting';

interface RingPreviewSettingsProps {
  ringPreview: boolean;
  onRingPreview(on: boolean): Promise<void>;
}

export function RingPreviewSettings({ ringPreview, onRingPreview }: RingPreviewSettingsProps) {
  const { t } = useT();
  return (
    <ToggleSetting
      title={t('ringPreview.title')}
      label={t('ringPreview.label')}
      hint={t('ringPreview.hint')}
      value={ringPreview}
      save={onRingPreview}
      failed={(e) => t('ringPreview.notSaved', { reason: e instanceof Error ? e.message : String(e) })}
      what="the ring-preview choice"
    />
  );
}
