/**
 * Settings → Files → "Save received files to…" (desktop): the folder main writes
 * received files to, and a button that opens the system's folder picker. Only that
 * picker can change the folder; the page never names a path itself.
 */
import { useEffect, useId, useState } from 'react';
import FolderOpen from 'lucide-react/icons/folder-open';
import type { ParleyBridge } from '../../../preload/contract';
import { useT } from '../../i18n';

/** The host's folder methods (the desktop bridge): a stable object, so the folder is read once. */
export type DownloadFolderControl = Pick<ParleyBridge, 'getDownloadFolder' | 'chooseDownloadFolder'>;

export function DownloadFolderField({ control }: { control: DownloadFolderControl }) {
  const { t } = useT();
  const id = useId();
  const [folder, setFolder] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    control.getDownloadFolder().then(
      (current) => live && setFolder(current),
      (e: unknown) => live && setError(t('downloadFolder.readFailed', { reason: e instanceof Error ? e.message : String(e) })),
    );
    return () => {
      live = false;
    };
  }, [control, t]);

  const choose = (): void => {
    setError(null);
    control.chooseDownloadFolder().then(
      (chosen) => {
        if (chosen !== null) setFolder(chosen);
      },
      (e: unknown) => setError(t('downloadFolder.changeFailed', { reason: e instanceof Error ? e.message : String(e) })),
    );
  };

  return (
    <div className="field">
      <span className="field__label" id={id}>
        {t('downloadFolder.label')}
      </span>
      <p className="field__hint" aria-labelledby={id} data-testid="download-folder">
        {folder ?? '…'}
      </p>
      <button type="button" className="button button--secondary button--small" onClick={choose} aria-describedby={id}>
        <FolderOpen size={16} aria-hidden="true" />
        {t('downloadFolder.choose')}
      </button>
      {error && (
        <p className="field__error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
