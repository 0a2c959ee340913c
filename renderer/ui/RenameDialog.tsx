/** "Change name" from the header: the first-run form in a dialog. */
import { Dialog } from './Dialog';
import { NameForm } from './FirstRun';

interface RenameDialogProps {
  currentName: string;
  onSave(name: string): Promise<void>;
  onClose(): void;
}

export function RenameDialog({ currentName, onSave, onClose }: RenameDialogProps) {
  return (
    <Dialog title="Change your name" description="Everyone you call sees this name." onClose={onClose}>
      <NameForm
        initialName={currentName}
        submitLabel="Save"
        onCancel={onClose}
        onSubmit={async (name) => {
          await onSave(name);
          onClose();
        }}
      />
    </Dialog>
  );
}
