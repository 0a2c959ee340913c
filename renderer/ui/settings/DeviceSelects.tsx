/** Microphone, camera and speaker pickers: the Settings dialog and the in-call device menu share them. */
import { useId } from 'react';
import type { Settings } from '../../../preload/contract';
import { useT } from '../../i18n';
import type { DeviceKind, DeviceLists } from '../../media/devices';

const LABELS = { microphone: 'deviceSelects.microphone', camera: 'deviceSelects.camera', speaker: 'deviceSelects.speaker' } as const satisfies Record<DeviceKind, string>;

/** Chromium and Edge can route audio to a chosen output; Firefox only behind a pref, Safari not at all. */
export function canChooseSpeaker(): boolean {
  return typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
}

interface DeviceSelectsProps {
  lists: DeviceLists;
  chosen: Settings['devices'];
  onChoose(kind: DeviceKind, deviceId: string | null): void;
}

export function DeviceSelects({ lists, chosen, onChoose }: DeviceSelectsProps) {
  const kinds: DeviceKind[] = canChooseSpeaker() ? ['microphone', 'camera', 'speaker'] : ['microphone', 'camera'];
  return (
    <div className="device-selects">
      {kinds.map((kind) => (
        <DeviceSelect key={kind} kind={kind} lists={lists} chosen={chosen[kind]} onChoose={(id) => onChoose(kind, id)} />
      ))}
    </div>
  );
}

function DeviceSelect({ kind, lists, chosen, onChoose }: { kind: DeviceKind; lists: DeviceLists; chosen: string | null; onChoose(id: string | null): void }) {
  const { t } = useT();
  const id = useId();
  const options = lists[kind];
  const missing = chosen !== null && !options.some((d) => d.id === chosen);
  const fallback = lists.defaults[kind];
  return (
    <div className="field">
      <label className="field__label" htmlFor={id}>
        {t(LABELS[kind])}
      </label>
      <select id={id} className="field__input" value={chosen ?? ''} onChange={(e) => onChoose(e.target.value === '' ? null : e.target.value)}>
        <option value="">{fallback ? t('deviceSelects.systemDefaultNamed', { name: fallback }) : t('deviceSelects.systemDefault')}</option>
        {options.map((d) => (
          <option key={d.id} value={d.id}>
            {d.label}
          </option>
        ))}
        {missing && <option value={chosen}>{t('deviceSelects.missing')}</option>}
      </select>
    </div>
  );
}
