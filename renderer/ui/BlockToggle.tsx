/** The block / unblock button of a contact row and a history row. */
import Ban from 'lucide-react/icons/ban';

export function BlockToggle({ name, blocked, onToggle }: { name: string; blocked: boolean; onToggle(): void }) {
  return (
    <button
      type="button"
      className={`icon-button block-toggle${blocked ? ' block-toggle--on' : ''}`}
      aria-label={blocked ? `Unblock ${name}` : `Block ${name}`}
      aria-pressed={blocked}
      title={blocked ? 'Unblock: let their calls ring again' : 'Block: their calls will not ring'}
      onClick={onToggle}
    >
      <Ban size={18} aria-hidden="true" />
    </button>
  );
}
