/** The call controls' quick device menu: switch microphone, camera or speaker without leaving the call. */
import { useEffect, useRef } from 'react';
import type { Settings } from '../../../preload/contract';
import type { DeviceKind, DeviceLists } from '../../media/devices';
import { useT } from '../../i18n';
import { DeviceSelects } from '../settings/DeviceSelects';

interface DeviceMenuProps {
  lists: DeviceLists;
  chosen: Settings['devices'];
  onChoose(kind: DeviceKind, deviceId: string | null): void;
  onClose(): void;
}

export function DeviceMenu({ lists, chosen, onChoose, onClose }: DeviceMenuProps) {
  const { t } = useT();
  const ref = useRef<HTMLDivElement>(null);
  const closeRef = useRef(onClose);
  closeRef.current = onClose;

  useEffect(() => {
    const menu = ref.current;
    menu?.querySelector('select')?.focus();
    const onKey = (event: KeyboardEvent): void => {
      if (event.key === 'Escape') closeRef.current();
    };
    const onPointer = (event: PointerEvent): void => {
      const target = event.target;
      if (menu && target instanceof Node && !menu.contains(target) && !(target instanceof Element && target.closest('[data-device-menu-toggle]'))) {
        closeRef.current();
      }
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('pointerdown', onPointer);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('pointerdown', onPointer);
    };
  }, []);

  return (
    <div ref={ref} className="device-menu" role="dialog" aria-label={t('call.devices')}>
      <DeviceSelects lists={lists} chosen={chosen} onChoose={onChoose} />
    </div>
  );
}
