/** The block / unblock button of a contact row and a history row. */
import Ban from 'lucide-react/icons/ban';
import { useT } from '../i18n';

export function BlockToggle({ name, blocked, onToggle }: { name: string; blocked: boolean; onToggle(): void }) {
  const { t } = useT();
  return (
    <button
      type="button"
      className={`icon-button block-toggle${blocked ? ' block-toggle--on' : ''}`}
      aria-label={blocked ? t('blockToggle.unblock', { name }) : t('blockToggle.block', { name })}
      aria-pressed={blocked}
      title={blocked ? t('blockToggle.unblockHint') : t('blockToggle.blockHint')}
      onClick={onToggle}
    >
      <Ban size={18} aria-hidden="true" />
    </button>
  );
}
