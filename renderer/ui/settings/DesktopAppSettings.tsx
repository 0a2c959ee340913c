/**
 * Settings → This computer (desktop only, issue 16.4): close to tray, start
 * minimised, start at login, and the global mute shortcut, recorded by pressing it.
 * Each applies at once: main reads closeToTray/startMinimised when it needs them,
 * sets the login item on change, and registers a new shortcut before saving it (one
 * another app holds comes back as the error shown under the field).
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { DEFAULT_SETTINGS, muteShortcutIssue, type SettingsPatch } from '../../../preload/contract';
import { useT } from '../../i18n';
import { log } from '../../log';
import { useServices, useStore } from '../services';
import { hostErrorText, recordKey, shortcutLabel } from './shortcutKeys';
import { settingsProblemText } from './serverLinks';
import '../styles/app-settings.css';

const logger = log.child('ui.settings');

type Toggle = 'closeToTray' | 'startMinimised' | 'startAtLogin';

export function DesktopAppSettings() {
  const services = useServices();
  if (services.appInfo.host !== 'desktop') return null;
  return <DesktopAppSection />;
}

function DesktopAppSection() {
  const { t } = useT();
  const services = useServices();
  const settings = useStore(services.settings);
  const platform = services.appInfo.platform;
  const id = useId();
  const [error, setError] = useState<string | null>(null);
  // Shown at once while the host stores it; put back if it could not.
  const [shown, setShown] = useState<Partial<Record<Toggle, boolean>>>({});

  const save = (patch: SettingsPatch): Promise<void> =>
    services.settings.update(patch).then(
      () => undefined,
      (e: unknown) => {
        logger.warn('a desktop setting was not saved', e);
        throw new Error(hostErrorText(e));
      },
    );

  const toggle = (name: Toggle, on: boolean): void => {
    setError(null);
    setShown((s) => ({ ...s, [name]: on }));
    const settled = (): void => setShown(({ [name]: _done, ...rest }) => rest);
    save({ [name]: on }).then(settled, (e: unknown) => {
      settled();
      setError(t('settings.notSaved', { reason: hostErrorText(e) }));
    });
  };

  const toggles: ReadonlyArray<{ name: Toggle; label: string; hint: string }> = [
    { name: 'closeToTray', label: t('settings.desktop.closeToTray'), hint: t('settings.desktop.closeToTrayHint') },
    { name: 'startMinimised', label: t('settings.desktop.startMinimised'), hint: t('settings.desktop.startMinimisedHint') },
    { name: 'startAtLogin', label: t('settings.desktop.startAtLogin'), hint: t('settings.desktop.startAtLoginHint') },
  ];

  return (
    <section className="settings-section" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} className="settings-section__title">
        {t('settings.desktop.title')}
      </h3>
      {toggles.map((item) => (
        <div key={item.name} className="field">
          <label className="settings-toggle">
            <input
              type="checkbox"
              name={item.name}
              checked={shown[item.name] ?? settings[item.name]}
              aria-describedby={`${id}-${item.name}-hint`}
              onChange={(e) => toggle(item.name, e.target.checked)}
            />
            <span>{item.label}</span>
          </label>
          <p id={`${id}-${item.name}-hint`} className="field__hint">
            {item.hint}
          </p>
        </div>
      ))}
      {error && (
        <p className="field__error" role="alert">
          {error}
        </p>
      )}
      <ShortcutRecorder current={settings.muteShortcut} platform={platform} onSave={(muteShortcut) => save({ muteShortcut })} />
    </section>
  );
}

interface ShortcutRecorderProps {
  current: string;
  platform: string;
  onSave(accelerator: string): Promise<void>;
}

type RecorderState = { kind: 'idle' } | { kind: 'recording' } | { kind: 'saving'; accelerator: string };

/** Press a combination to record it; a modifier is required (muteShortcutProblem); Esc cancels. */
export function ShortcutRecorder({ current, platform, onSave }: ShortcutRecorderProps) {
  const { t } = useT();
  const id = useId();
  const [state, setState] = useState<RecorderState>({ kind: 'idle' });
  const [problem, setProblem] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const box = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (state.kind === 'recording') box.current?.focus();
  }, [state.kind]);

  const commit = (accelerator: string): void => {
    setState({ kind: 'saving', accelerator });
    onSave(accelerator).then(
      () => {
        setState({ kind: 'idle' });
        setSaved(accelerator);
      },
      (e: unknown) => {
        setState({ kind: 'idle' });
        setProblem(hostErrorText(e));
      },
    );
  };

  const onKeyDown = (event: KeyboardEvent<HTMLButtonElement>): void => {
    if (state.kind !== 'recording') return;
    // While recording, every key is the shortcut being recorded (Tab and Enter too).
    event.preventDefault();
    event.stopPropagation();
    const recorded = recordKey(event, platform);
    if (recorded.kind === 'waiting') return;
    if (recorded.kind === 'cancel') {
      setState({ kind: 'idle' });
      return;
    }
    if (recorded.kind === 'unknown-key') {
      setProblem(t('settings.desktop.shortcut.unknownKey'));
      return;
    }
    const refusal = muteShortcutIssue(recorded.accelerator);
    if (refusal !== null) {
      // Keep listening: the person tries again with a modifier.
      setProblem(settingsProblemText(refusal.problem, { keys: refusal.shown }));
      return;
    }
    setProblem(null);
    commit(recorded.accelerator);
  };

  const shown =
    state.kind === 'recording'
      ? t('settings.desktop.shortcut.recording')
      : state.kind === 'saving'
        ? shortcutLabel(state.accelerator, platform)
        : current === ''
          ? t('settings.desktop.shortcut.none')
          : shortcutLabel(current, platform);

  return (
    <div className="field shortcut-recorder">
      <span className="field__label" id={`${id}-label`}>
        {t('settings.desktop.shortcut.label')}
      </span>
      <div className="shortcut-recorder__row">
        <button
          ref={box}
          type="button"
          className={`button shortcut-recorder__keys${state.kind === 'recording' ? ' shortcut-recorder__keys--recording' : ''}`}
          aria-labelledby={`${id}-label ${id}-keys`}
          aria-describedby={`${id}-hint`}
          aria-pressed={state.kind === 'recording'}
          data-testid="shortcut-recorder"
          disabled={state.kind === 'saving'}
          onClick={() => {
            setProblem(null);
            setSaved(null);
            setState((s) => (s.kind === 'recording' ? { kind: 'idle' } : { kind: 'recording' }));
          }}
          onKeyDown={onKeyDown}
          onBlur={() => setState((s) => (s.kind === 'recording' ? { kind: 'idle' } : s))}
        >
          <kbd id={`${id}-keys`}>{shown}</kbd>
        </button>
        <button
          type="button"
          className="button button--ghost"
          disabled={state.kind === 'saving' || current === ''}
          onClick={() => {
            setProblem(null);
            commit('');
          }}
        >
          {t('settings.desktop.shortcut.turnOff')}
        </button>
        <button
          type="button"
          className="button button--ghost"
          disabled={state.kind === 'saving' || current === DEFAULT_SETTINGS.muteShortcut}
          onClick={() => {
            setProblem(null);
            commit(DEFAULT_SETTINGS.muteShortcut);
          }}
        >
          {t('settings.desktop.shortcut.reset', { keys: shortcutLabel(DEFAULT_SETTINGS.muteShortcut, platform) })}
        </button>
      </div>
      <p id={`${id}-hint`} className={problem ? 'field__error' : 'field__hint'} role={problem ? 'alert' : undefined}>
        {problem ??
          (saved !== null && saved !== ''
            ? t('settings.desktop.shortcut.saved', { keys: shortcutLabel(saved, platform) })
            : t('settings.desktop.shortcut.hint'))}
      </p>
    </div>
  );
}
