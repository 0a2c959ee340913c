/** The bar under the call: microphone, camera, add someone, hang up. */
import Mic from 'lucide-react/icons/mic';
import MicOff from 'lucide-react/icons/mic-off';
import PhoneOff from 'lucide-react/icons/phone-off';
import UserPlus from 'lucide-react/icons/user-plus';
import Video from 'lucide-react/icons/video';
import VideoOff from 'lucide-react/icons/video-off';

interface CallControlsProps {
  muted: boolean;
  cameraOn: boolean;
  canAdd: boolean;
  onToggleMute(): void;
  onToggleCamera(): void;
  onAdd(): void;
  onHangUp(): void;
}

export function CallControls({ muted, cameraOn, canAdd, onToggleMute, onToggleCamera, onAdd, onHangUp }: CallControlsProps) {
  return (
    <div className="call-controls" role="toolbar" aria-label="Call controls">
      <button
        type="button"
        className={`control${muted ? ' control--off' : ''}`}
        aria-label={muted ? 'Unmute microphone' : 'Mute microphone'}
        title={muted ? 'Unmute microphone' : 'Mute microphone'}
        onClick={onToggleMute}
      >
        {muted ? <MicOff size={22} aria-hidden="true" /> : <Mic size={22} aria-hidden="true" />}
      </button>
      <button
        type="button"
        className={`control${cameraOn ? '' : ' control--off'}`}
        aria-label={cameraOn ? 'Turn camera off' : 'Turn camera on'}
        title={cameraOn ? 'Turn camera off' : 'Turn camera on'}
        onClick={onToggleCamera}
      >
        {cameraOn ? <Video size={22} aria-hidden="true" /> : <VideoOff size={22} aria-hidden="true" />}
      </button>
      <button
        type="button"
        className="control"
        aria-label="Add participant"
        title={canAdd ? 'Add participant' : 'The call is full'}
        disabled={!canAdd}
        onClick={onAdd}
      >
        <UserPlus size={22} aria-hidden="true" />
      </button>
      <button type="button" className="control control--hangup" aria-label="Hang up" title="Hang up" onClick={onHangUp}>
        <PhoneOff size={22} aria-hidden="true" />
      </button>
    </div>
  );
}
