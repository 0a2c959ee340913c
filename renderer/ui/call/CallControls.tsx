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
import type { ReactNode } from 'react';

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

export function CallControls(props: CallControlsProps) {
  const { muted, cameraOn, canAdd, sharing, chatOpen, unread, statsShown, devicesOpen } = props;
  // Toggles keep one name and say their state with aria-pressed (WAI-ARIA button pattern).
  const chatLabel = unread > 0 && !chatOpen ? `Chat, ${unread} unread` : 'Chat';
  return (
    <div className="call-controls" role="toolbar" aria-label="Call controls">
      <button
        type="button"
        className={`control${muted ? ' control--off' : ''}`}
        aria-label={muted ? 'Unmute microphone' : 'Mute microphone'}
        title={muted ? 'Unmute microphone' : 'Mute microphone'}
        onClick={props.onToggleMute}
      >
        {muted ? <MicOff size={22} aria-hidden="true" /> : <Mic size={22} aria-hidden="true" />}
      </button>
      <button
        type="button"
        className={`control${cameraOn ? '' : ' control--off'}`}
        aria-label={cameraOn ? 'Turn camera off' : 'Turn camera on'}
        title={cameraOn ? 'Turn camera off' : 'Turn camera on'}
        onClick={props.onToggleCamera}
      >
        {cameraOn ? <Video size={22} aria-hidden="true" /> : <VideoOff size={22} aria-hidden="true" />}
      </button>
      {sharing !== null && (
        <button
          type="button"
          className={`control${sharing ? ' control--active' : ''}`}
          aria-label={sharing ? 'Stop sharing' : 'Share screen'}
          title={sharing ? 'Stop sharing' : 'Share a screen or a window'}
          onClick={props.onToggleShare}
        >
          {sharing ? <ScreenShareOff size={22} aria-hidden="true" /> : <ScreenShare size={22} aria-hidden="true" />}
        </button>
      )}
      <button
        type="button"
        className={`control${chatOpen ? ' control--active' : ''}`}
        aria-label={chatLabel}
        aria-pressed={chatOpen}
        title={chatLabel}
        onClick={props.onToggleChat}
      >
        <MessageSquare size={22} aria-hidden="true" />
        {unread > 0 && !chatOpen && (
          <span className="control__badge" data-testid="unread-badge" aria-hidden="true">
            {unread > 99 ? '99+' : unread}
          </span>
        )}
      </button>
      <span className="control-anchor">
        <button
          type="button"
          className={`control${devicesOpen ? ' control--active' : ''}`}
          aria-label="Devices"
          aria-expanded={devicesOpen}
          aria-haspopup="dialog"
          title="Microphone, camera and speaker"
          data-device-menu-toggle
          onClick={props.onToggleDevices}
        >
          <Settings2 size={22} aria-hidden="true" />
        </button>
        {devicesOpen && props.deviceMenu}
      </span>
      <button
        type="button"
        className={`control${statsShown ? ' control--active' : ''}`}
        aria-label="Call statistics"
        aria-pressed={statsShown}
        title={statsShown ? 'Hide call statistics' : 'Show call statistics'}
        onClick={props.onToggleStats}
      >
        <Activity size={22} aria-hidden="true" />
      </button>
      <button
        type="button"
        className="control"
        aria-label="Add participant"
        title={canAdd ? 'Add participant' : 'The call is full'}
        disabled={!canAdd}
        onClick={props.onAdd}
      >
        <UserPlus size={22} aria-hidden="true" />
      </button>
      <button type="button" className="control control--hangup" aria-label="Hang up" title="Hang up" onClick={props.onHangUp}>
        <PhoneOff size={22} aria-hidden="true" />
      </button>
    </div>
  );
}
