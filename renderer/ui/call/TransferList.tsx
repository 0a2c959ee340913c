/** File transfers in the chat panel: progress both ways, cancel, and "Save" once verified. */
import Download from 'lucide-react/icons/download';
import FileIcon from 'lucide-react/icons/file';
import X from 'lucide-react/icons/x';
import type { TransferView } from '../../call/featureTypes';
import { formatBytes } from '../../call/fileTransferProtocol';
import { transferActive, transferPeerText, transferStatusText } from '../../state/transferText';
import { useObjectUrl } from '../useObjectUrl';

interface TransferListProps {
  transfers: readonly TransferView[];
  onCancel(key: string): void;
  onDismiss(key: string): void;
}

export function TransferList({ transfers, onCancel, onDismiss }: TransferListProps) {
  if (transfers.length === 0) return null;
  return (
    <ul className="transfers" aria-label="Files">
      {transfers.map((t) => (
        <TransferRow key={t.key} transfer={t} onCancel={() => onCancel(t.key)} onDismiss={() => onDismiss(t.key)} />
      ))}
    </ul>
  );
}

function TransferRow({ transfer: t, onCancel, onDismiss }: { transfer: TransferView; onCancel(): void; onDismiss(): void }) {
  const url = useObjectUrl(t.status === 'done' ? t.blob : null);
  const active = transferActive(t);
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
          <progress className="transfer__progress" max={Math.max(1, t.size)} value={t.bytes} aria-label={`${t.name} progress`} />
        ) : null}
        <p className={`transfer__status${problem ? ' transfer__status--problem' : ''}`} role={problem ? 'alert' : undefined}>
          {transferStatusText(t)}
        </p>
        {url && t.direction === 'in' && (
          <a className="button button--secondary button--small transfer__save" href={url} download={t.saveName} aria-label={`Save ${t.saveName}`}>
            <Download size={16} aria-hidden="true" />
            Save
          </a>
        )}
      </div>
      {active ? (
        <button type="button" className="icon-button icon-button--small" aria-label={`Cancel ${t.name}`} title="Cancel" onClick={onCancel}>
          <X size={16} aria-hidden="true" />
        </button>
      ) : t.status !== 'verifying' ? (
        <button type="button" className="icon-button icon-button--small" aria-label={`Remove ${t.name} from the list`} title="Remove" onClick={onDismiss}>
          <X size={16} aria-hidden="true" />
        </button>
      ) : null}
    </li>
  );
}
