/**
 * Whether the in-call screen is shown or standing by. While a call rings, the stage
 * builds the screen it will show once answered, hidden under the ringing card, with
 * the pre-connected streams already on their <video> elements: an answer then only
 * reveals it, as a page with a pre-attached element does, instead of creating the
 * whole screen and its media elements in the moment the first frame arrives
 * (issue 15). Standing by, the screen takes no keys, no focus and plays no sound.
 */
import { createContext, useContext } from 'react';

export const StandbyContext = createContext(false);

/** True while the in-call screen is built but hidden behind a ringing card. */
export function useStandby(): boolean {
  return useContext(StandbyContext);
}
