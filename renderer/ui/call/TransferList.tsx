/**
 * File transfers in the chat panel: an incoming offer with Accept / Decline,
 * progress both ways, cancel, and once verified "Save" (browser, from memory) or
 * "Show in folder" (desktop, already on disk). Removing a received file from the
 * list frees it: its object URL is revoked as the row goes (useObjectUrl).
 */
import Check from 'lucide-react/icons/check';
import Download from 'lucide-react/icons/download';
import FileIcon from 'lucide-react/icons/file';
import FolderOpen from 'lucide-react/icons/folder-open';
import X from 'lucide-react/icons/x';
import type { TransferView } from '../../call/featureTypes';
import { formatBytes } from '../../call/fileTransferProtocol';
import { transferActive, transferPeerText, transferStatusText } from '../../state/transferText';
import { useT } from '../../i18n';
import { useObjectUrl } from '../useObjectUrl';

interface TransferActions {
  onAccept(key: string): void;
  onDecline(key: string): void;
  onCancel(key: string): void;
  onDismiss(key: string): void;
  onReveal(key: string): void;
}

interface TransferListProps extends TransferActions {
  transfers: readonly TransferView[];
}

export function TransferList({ transfers, ...actions }: TransferListProps) {
  const { t: translate } = useT();
  if (transfers.length === 0) return null;
  return (
    <ul className="transfers" aria-label={translate('transfers.files')}>
      {transfers.map((transfer) => (
        <TransferRow key={transfer.key} transfer={transfer} actions={actions} />
      ))}
    </ul>
  );
}

function TransferRow({ transfer: t, actions }: { transfer: TransferView; actions: TransferActions }) {
  const { t: translate } = useT();
  const url = useObjectUrl(t.status === 'done' ? t.blob : null);
  const active = transferActive(t);
  const offered = t.status === 'offered';
  const problem = t.status === 'failed' || t.status === 'rejected';
  return (
    <li
      className={`transfer transfer--${t.status}`}
      data-testid="transfer"
      data-direction={t.direction}
      data-status={t.status}
      aria-label={`${t.name}, ${transferPeerText(t)}`}
    >
      <FileIcon className="transfer__icon" size={18} aria-hidden="true" />
      <div className="transfer__body">
        <div className="transfer__title">
          <span className="transfer__name" title={t.name}>
            {t.name}
          </span>
          <span className="transfer__size">{formatBytes(t.size)}</span>
        </div>
        <div className="transfer__peer">{transferPeerText(t)}</div>
        {active || t.status === 'verifying' ? (
          <progress className="transfer__progress" max={Math.max(1, t.size)} value={t.bytes} aria-label={translate('transfers.progress', { name: t.name })} />
        ) : null}
        <p className={`transfer__status${problem ? ' transfer__status--problem' : ''}`} role={problem ? 'alert' : offered ? 'status' : undefined}>
          {transferStatusText(t)}
        </p>
        {offered && (
          <div className="transfer__answer">
            <button type="button" className="button button--primary button--small" aria-label={translate('transfers.accept', { name: t.name })} onClick={() => actions.onAccept(t.key)}>
              <Check size={16} aria-hidden="true" />
              {translate('transfers.acceptButton')}
            </button>
            <button type="button" className="button button--secondary button--small" aria-label={translate('transfers.decline', { name: t.name })} onClick={() => actions.onDecline(t.key)}>
              {translate('transfers.declineButton')}
            </button>
          </div>
        )}
        {url && t.direction === 'in' && (
          <a className="button button--secondary button--small transfer__save" href={url} download={t.saveName} aria-label={translate('transfers.save', { name: t.saveName })}>
            <Download size={16} aria-hidden="true" />
            {translate('transfers.saveButton')}
          </a>
        )}
        {t.status === 'done' && t.savedPath !== null && (
          <button
            type="button"
            className="button button--secondary button--small transfer__save"
            aria-label={translate('transfers.show', { name: t.saveName })}
            onClick={() => actions.onReveal(t.key)}
          >
            <FolderOpen size={16} aria-hidden="true" />
            {translate('transfers.showButton')}
          </button>
        )}
      </div>
      {active ? (
        <button type="button" className="icon-button icon-button--small" aria-label={translate('transfers.cancel', { name: t.name })} title={translate('transfers.cancelHint')} onClick={() => actions.onCancel(t.key)}>
          <X size={16} aria-hidden="true" />
        </button>
      ) : t.status !== 'verifying' && !offered ? (
        <button
          type="button"
          className="icon-button icon-button--small"
          aria-label={translate('transfers.remove', { name: t.name })}
          title={translate('transfers.removeHint')}
          onClick={() => actions.onDismiss(t.key)}
        >
          <X size={16} aria-hidden="true" />
        </button>
      ) : null}
    </li>
  );
}
