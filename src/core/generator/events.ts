/**
 * The event types the generator counts and the index of each in its count arrays. Indices are looked
 * up by name (checked against the HTCondor taxonomy), so reordering the default features cannot
 * silently make the simulation count holds as releases.
 */
import { DEFAULT_FEATURE_NAMES, eventTypeNumber } from '../htcondor/eventTypes';

/** Event types the generator emits: the default features plus JobUnsuspendedEvent (paired with suspends). */
export const GENERATED_EVENT_TYPES: readonly string[] = [...DEFAULT_FEATURE_NAMES, 'JobUnsuspendedEvent'];

/** Index of an HTCondor `MyType` in GENERATED_EVENT_TYPES; throws when it is not one (a broken build, not input). */
export function eventIndex(myType: string): number {
  if (eventTypeNumber(myType) === undefined) {
    throw new Error(`"${myType}" is not an HTCondor event type`);
  }
  const i = GENERATED_EVENT_TYPES.indexOf(myType);
  if (i < 0) {
    throw new Error(`the generator does not emit "${myType}"`);
  }
  return i;
}

/** Number of generated event types (the stride of the per-cell count arrays). */
export const NT = GENERATED_EVENT_TYPES.length;

export const T_SUBMIT = eventIndex('SubmitEvent');
export const T_EXECUTE = eventIndex('ExecuteEvent');
export const T_TERMINATED = eventIndex('JobTerminatedEvent');
export const T_ABORTED = eventIndex('JobAbortedEvent');
export const T_EVICTED = eventIndex('JobEvictedEvent');
export const T_HELD = eventIndex('JobHeldEvent');
export const T_RELEASE = eventIndex('JobReleaseEvent');
export const T_IMAGE = eventIndex('JobImageSizeEvent');
export const T_DISCONNECTED = eventIndex('JobDisconnectedEvent');
export const T_RECONNECTED = eventIndex('JobReconnectedEvent');
export const T_RECONNECT_FAILED = eventIndex('JobReconnectFailedEvent');
export const T_SHADOW = eventIndex('ShadowExceptionEvent');
export const T_SUSPENDED = eventIndex('JobSuspendedEvent');
export const T_UNSUSPENDED = eventIndex('JobUnsuspendedEvent');

/**
 * Per type: true when a hung schedd logs what it held back in its catch-up hour; its held-back image-size
 * updates are lost (superseded by later ones).
 */
export const CATCH_UP: readonly boolean[] = (() => {
  const late = [
    T_TERMINATED,
    T_ABORTED,
    T_EVICTED,
    T_HELD,
    T_RELEASE,
    T_DISCONNECTED,
    T_RECONNECTED,
    T_RECONNECT_FAILED,
    T_SHADOW,
    T_SUSPENDED,
    T_UNSUSPENDED,
  ];
  return GENERATED_EVENT_TYPES.map((_, k) => late.includes(k));
})();
