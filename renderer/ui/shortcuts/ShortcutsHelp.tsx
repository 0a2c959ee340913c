/** The header's keyboard button and the `?` key, both opening the shortcuts sheet. */
import { useState } from 'react';
import Keyboard from 'lucide-react/icons/keyboard';
import { useT } from '../../i18n';
import { ShortcutsSheet } from './ShortcutsSheet';
import { shortcutProps, useShortcut } from './useShortcut';

export function ShortcutsHelp() {
  const { t } = useT();
  const [open, setOpen] = useState(false);
  useShortcut('showShortcuts', () => setOpen(true), !open);
  const label = t('shortcuts.title');
  return (
    <>
      <button type="button" className="icon-button" aria-label={label} {...shortcutProps('showShortcuts', label)} onClick={() => setOpen(true)}>
        <Keyboard size={20} aria-hidden="true" />
      </button>
      {open && <ShortcutsSheet onClose={() => setOpen(false)} />}
    </>
  );
}
