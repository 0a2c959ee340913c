/** The shortcuts sheet: every row of the shortcut table, in a modal dialog. */
import { useT } from '../../i18n';
import { Dialog } from '../Dialog';
import { displayKeys, SHORTCUTS } from './shortcuts';
import '../styles/shortcuts.css';

export function ShortcutsSheet({ onClose }: { onClose(): void }) {
  const { t } = useT();
  return (
    <Dialog title={t('shortcuts.title')} description={t('shortcuts.description')} onClose={onClose}>
      <table className="shortcuts-table" data-testid="shortcuts-table">
        <thead>
          <tr>
            <th scope="col">{t('shortcuts.actionColumn')}</th>
            <th scope="col">{t('shortcuts.keysColumn')}</th>
            <th scope="col">{t('shortcuts.whereColumn')}</th>
          </tr>
        </thead>
        <tbody>
          {SHORTCUTS.map((s) => (
            <tr key={s.id} data-shortcut-id={s.id}>
              <th scope="row">{t(`shortcuts.actions.${s.id}`)}</th>
              <td>
                <kbd>{displayKeys(s)}</kbd>
              </td>
              <td>
                {t(`shortcuts.scopes.${s.scope}`)}
                {s.inTextFields && <> · {t('shortcuts.alsoWhileTyping')}</>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  );
}
