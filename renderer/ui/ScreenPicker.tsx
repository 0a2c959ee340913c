/**
 * The desktop host's screen/window picker: Electron lists desktopCapturer sources
 * with thumbnails, this dialog lets the person pick one, and the answer goes back
 * through bridge.chooseScreenSource (null when cancelled). Self-contained: it only
 * needs the request and a way to answer.
 */
import { useMemo, useState } from 'react';
import AppWindow from 'lucide-react/icons/app-window';
import Monitor from 'lucide-react/icons/monitor';
import type { ScreenSource, ScreenSourceRequest } from '../../preload/contract';
import { useT } from '../i18n';
import { Dialog } from './Dialog';
import { Tabs } from './Tabs';

type Kind = ScreenSource['kind'];

/** Only inline images are shown: a source must not make the renderer fetch anything. */
export function safeImage(url: string | null): string | null {
  return url !== null && /^data:image\/(png|jpeg|webp);base64,/i.test(url) ? url : null;
}

interface ScreenPickerProps {
  request: ScreenSourceRequest;
  onChoose(sourceId: string | null): void;
}

export function ScreenPicker({ request, onChoose }: ScreenPickerProps) {
  const { t } = useT();
  const screens = useMemo(() => request.sources.filter((s) => s.kind === 'screen'), [request.sources]);
  const windows = useMemo(() => request.sources.filter((s) => s.kind === 'window'), [request.sources]);
  const [kind, setKind] = useState<Kind>(screens.length > 0 || windows.length === 0 ? 'screen' : 'window');
  const [selected, setSelected] = useState<string | null>(null);
  const shown = kind === 'screen' ? screens : windows;
  const chosen = request.sources.find((s) => s.id === selected) ?? null;

  return (
    <Dialog
      title={t('screenPicker.title')}
      description={t('screenPicker.description')}
      wide
      onClose={() => onChoose(null)}
      footer={
        <>
          <button type="button" className="button button--secondary" onClick={() => onChoose(null)}>
            {t('common.cancel')}
          </button>
          <button
            type="button"
            className="button button--primary"
            disabled={chosen === null}
            onClick={() => chosen && onChoose(chosen.id)}
          >
            {t('screenPicker.share')}
          </button>
        </>
      }
    >
      <Tabs<Kind>
        label={t('screenPicker.what')}
        selected={kind}
        onSelect={(k) => {
          setKind(k);
          setSelected(null);
        }}
        tabs={[
          { key: 'screen', label: t('screenPicker.screens'), count: screens.length },
          { key: 'window', label: t('screenPicker.windows'), count: windows.length },
        ]}
      >
        {shown.length === 0 ? (
          <p className="dialog__empty">{kind === 'screen' ? t('screenPicker.noScreens') : t('screenPicker.noWindows')}</p>
        ) : (
          <div className="source-grid" role="radiogroup" aria-label={kind === 'screen' ? t('screenPicker.screens') : t('screenPicker.windows')}>
            {shown.map((source, index) => (
              <SourceCard
                key={source.id}
                source={source}
                checked={source.id === selected}
                focusable={selected === null ? index === 0 : source.id === selected}
                onSelect={() => setSelected(source.id)}
                onShare={() => onChoose(source.id)}
              />
            ))}
          </div>
        )}
      </Tabs>
    </Dialog>
  );
}

interface SourceCardProps {
  source: ScreenSource;
  checked: boolean;
  focusable: boolean;
  onSelect(): void;
  onShare(): void;
}

function SourceCard({ source, checked, focusable, onSelect, onShare }: SourceCardProps) {
  const { t } = useT();
  const thumbnail = safeImage(source.thumbnail);
  const icon = safeImage(source.appIcon);
  const Fallback = source.kind === 'screen' ? Monitor : AppWindow;
  const name = source.name.trim() || (source.kind === 'screen' ? t('screenPicker.screen') : t('screenPicker.untitled'));
  return (
    <button
      type="button"
      role="radio"
      aria-checked={checked}
      tabIndex={focusable ? 0 : -1}
      className={`source-card${checked ? ' source-card--checked' : ''}`}
      title={name}
      onClick={onSelect}
      onDoubleClick={onShare}
      onKeyDown={(event) => {
        // Radio-group arrow keys move between cards (WAI-ARIA radio group pattern).
        const keys: Record<string, number> = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
        const step = keys[event.key];
        if (step === undefined) return;
        event.preventDefault();
        const cards = [...(event.currentTarget.parentElement?.querySelectorAll<HTMLButtonElement>('[role="radio"]') ?? [])];
        const next = cards[(cards.indexOf(event.currentTarget) + step + cards.length) % cards.length];
        next?.focus();
        next?.click();
      }}
    >
      <span className="source-card__thumb">
        {thumbnail ? <img src={thumbnail} alt="" /> : <Fallback size={40} aria-hidden="true" />}
      </span>
      <span className="source-card__label">
        {icon && <img className="source-card__icon" src={icon} alt="" />}
        <span className="source-card__name">{name}</span>
      </span>
    </button>
  );
}
