/** The bar under the call: microphone, camera, screen, chat, devices, statistics, add someone, hang up. */
import Activity from 'lucide-react/icons/activity';
import MessageSquare from 'lucide-react/icons/message-square';
import Mic from 'lucide-react/icons/mic';
import MicOff from 'lucide-react/icons/mic-off';
import PhoneOff from 'lucide-react/icons/phone-off';
import ScreenShare from 'lucide-react/icons/screen-share';
import ScreenShareOff from 'lucide-react/icons/screen-share-off';
import Settings2 from 'lucide-react/icons/settings-2';
import UserPlus from 'lucide-react/icons/user-plus';
import Video from 'lucide-react/icons/video';
import VideoOff from 'lucide-react/icons/video-off';
import type { LucideIcon } from 'lucide-react';
import { useEffect, useRef, type ButtonHTMLAttributes, type ReactNode } from 'react';
import type { ShortcutId } from '../shortcuts/shortcuts';
import { useT } from '../../i18n';
import { shortcutProps, useShortcut } from '../shortcuts/useShortcut';
import { useStandby } from './standby';

interface CallControlsProps {
  muted: boolean;
  cameraOn: boolean;
  canAdd: boolean;
  /** null: this host cannot share a screen (the button is left out). */
  sharing: boolean | null;
  chatOpen: boolean;
  unread: number;
  statsShown: boolean;
  devicesOpen: boolean;
  /** The device menu, rendered above the bar while open. */
  deviceMenu: ReactNode;
  onToggleMute(): void;
  onToggleCamera(): void;
  onToggleShare(): void;
  onToggleChat(): void;
  onToggleDevices(): void;
  onToggleStats(): void;
  onAdd(): void;
  onHangUp(): void;
}

interface ControlButtonProps extends Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'type' | 'className' | 'aria-label' | 'onClick'> {
  /** The accessible name; also the tooltip unless `title` says more. */
  label: string;
  icon: LucideIcon;
  /** The button's look beyond a plain control. */
  look?: 'off' | 'active' | 'hangup';
  /** Its keyboard shortcut (shortcuts.ts): bound while the button is shown, and named in its tooltip. */
  shortcut?: ShortcutId;
  onClick(): void;
}

/** One round button of the bar: an icon, named by aria-label, with a tooltip. */
function ControlButton({ label, icon: Icon, look, title, shortcut, onClick, children, ...rest }: ControlButtonProps) {
  const standby = useStandby();
  useShortcut(shortcut ?? 'hangUp', onClick, shortcut !== undefined && !rest.disabled && !standby);
  const keys = shortcut ? shortcutProps(shortcut, title ?? label) : { title: title ?? label };
  return (
    <button type="button" className={look ? `control control--${look}` : 'control'} aria-label={label} {...keys} {...rest} onClick={() => onClick()}>
      <Icon size={22} aria-hidden="true" />
      {children}
    </button>
  );
}

export function CallControls(props: CallControlsProps) {
  const { muted, cameraOn, canAdd, sharing, chatOpen, unread, statsShown, devicesOpen } = props;
  // Toggles keep one name and say their state with aria-pressed (WAI-ARIA button pattern).
  const { t } = useT();
  const chatLabel = unread > 0 && !chatOpen ? t('call.chatUnread', { count: unread }) : t('call.chat');
  // Answering moved focus to a button that is gone: give it to the bar, not to the page
  // (when the screen shows, not while it stands by behind the ringing card).
  const bar = useRef<HTMLDivElement>(null);
  const standby = useStandby();
  useEffect(() => {
    if (standby) return;
    // After the screen's first paint: focus() forces a layout, which would hold that
    // paint (and the first remote frame) by ~30 ms.
    let timer = 0;
    const frame = requestAnimationFrame(() => {
      timer = window.setTimeout(() => {
        if (document.activeElement === null || document.activeElement === document.body) bar.current?.querySelector('button')?.focus();
      });
    });
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, [standby]);
  return (
    <div ref={bar} className="call-controls" role="toolbar" aria-label={t('call.controls')}>
      <ControlButton
        label={muted ? t('call.unmute') : t('call.mute')}
        icon={muted ? MicOff : Mic}
        look={muted ? 'off' : undefined}
        shortcut="toggleMute"
        onClick={props.onToggleMute}
      />
      <ControlButton
        label={cameraOn ? t('call.cameraOff') : t('call.cameraOn')}
        icon={cameraOn ? Video : VideoOff}
        look={cameraOn ? undefined : 'off'}
        shortcut="toggleCamera"
        onClick={props.onToggleCamera}
      />
      {sharing !== null && (
        <ControlButton
          label={sharing ? t('call.stopSharing') : t('call.shareScreen')}
          title={sharing ? t('call.stopSharing') : t('call.shareHint')}
          icon={sharing ? ScreenShareOff : ScreenShare}
          look={sharing ? 'active' : undefined}
          shortcut="toggleShare"
          onClick={props.onToggleShare}
        />
      )}
      <ControlButton
        label={chatLabel}
        icon={MessageSquare}
        look={chatOpen ? 'active' : undefined}
        aria-pressed={chatOpen}
        shortcut="toggleChat"
        onClick={props.onToggleChat}
      >
        {unread > 0 && !chatOpen && (
          <span className="control__badge" data-testid="unread-badge" aria-hidden="true">
            {unread > 99 ? '99+' : unread}
          </span>
        )}
      </ControlButton>
      <span className="control-anchor">
        <ControlButton
          label={t('call.devices')}
          title={t('call.devicesHint')}
          icon={Settings2}
          look={devicesOpen ? 'active' : undefined}
          aria-expanded={devicesOpen}
          aria-haspopup="dialog"
          data-device-menu-toggle
          onClick={props.onToggleDevices}
        />
        {devicesOpen && props.deviceMenu}
      </span>
      <ControlButton
        label={t('call.stats')}
        title={statsShown ? t('call.hideStats') : t('call.showStats')}
        icon={Activity}
        look={statsShown ? 'active' : undefined}
        aria-pressed={statsShown}
        onClick={props.onToggleStats}
      />
      <ControlButton
        label={t('call.add')}
        title={canAdd ? t('call.add') : t('call.full')}
        icon={UserPlus}
        disabled={!canAdd}
        onClick={props.onAdd}
      />
      <ControlButton label={t('call.hangUp')} icon={PhoneOff} look="hangup" shortcut="hangUp" onClick={props.onHangUp} />
    </div>
  );
}
