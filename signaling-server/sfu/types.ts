/**
 * What the rest of the server sees of the SFU (Janus behind the Parley server,
 * issue 17): one request per `sfu:*` client event, each answered with an ack,
 * plus the call's lifecycle (a call moved to the SFU, a member gone, a call ended).
 * The implementation is SfuDesk (desk.ts); a server without `--janus-url` has none,
 * and every `sfu:*` request is refused `sfu_unavailable`.
 */
import type { Party } from '../callRecord';
import type { Ack, CallId, DeviceId, SfuAnswerPayload, SfuCandidatePayload, SfuLayerPayload, SfuPublishPayload, SfuSubscribePayload, SfuUnpublishPayload } from '../protocol';

export interface SfuRequests {
  publish(party: Party, p: SfuPublishPayload): Promise<Ack<{ description: { type: 'answer'; sdp: string } }>>;
  unpublish(party: Party, p: SfuUnpublishPayload): Promise<Ack>;
  subscribe(party: Party, p: SfuSubscribePayload): Promise<Ack>;
  answer(party: Party, p: SfuAnswerPayload): Promise<Ack>;
  candidate(party: Party, p: SfuCandidatePayload): Promise<Ack>;
  layer(party: Party, p: SfuLayerPayload): Promise<Ack>;
}

/** What the call registry tells the SFU side about calls. */
export interface SfuCallEvents {
  /** The call became `sfu` (its room is prepared now, before anyone publishes). */
  callMovedToSfu(callId: CallId): void;
  /** A member left the call for good (its handles are detached). */
  memberLeft(callId: CallId, deviceId: DeviceId): void;
  /** The call is over (its room is destroyed). */
  callEnded(callId: CallId): void;
}
