/** "Change name" from the header: the first-run form in a dialog. */
import { useT } from '../i18n';
import { Dialog } from './Dialog';
import { NameForm } from './FirstRun';

interface RenameDialogProps {
  currentName: string;
  onSave(name: string): Promise<void>;
  onClose(): void;
}

export function RenameDialog({ currentName, onSave, onClose }: RenameDialogProps) {
  const { t } = useT();
  return (
    <Dialog title={t('rename.title')} description={t('rename.description')} onClose={onClose}>
      <NameForm
        initialName={currentName}
        submitLabel={t('common.save')}
        onCancel={onClose}
        onSubmit={async (name) => {
          await onSave(name);
          onClose();
        }}
      />
    </Dialog>
  );
}
