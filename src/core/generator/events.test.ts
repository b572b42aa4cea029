/** @jest-environment node */
import { GENERATED_EVENT_TYPES, T_HELD, T_UNSUSPENDED, eventIndex } from './events';
import { eventTypeNumber } from '../htcondor/eventTypes';

describe('generator event indices', () => {
  it('are looked up by name', () => {
    expect(GENERATED_EVENT_TYPES[T_HELD]).toBe('JobHeldEvent');
    expect(GENERATED_EVENT_TYPES[T_UNSUSPENDED]).toBe('JobUnsuspendedEvent');
    expect(eventIndex('SubmitEvent')).toBe(GENERATED_EVENT_TYPES.indexOf('SubmitEvent'));
  });

  it('are all HTCondor event types', () => {
    expect(GENERATED_EVENT_TYPES.filter((t) => eventTypeNumber(t) === undefined)).toEqual([]);
  });

  it('throw for a name that is not an HTCondor type or not generated', () => {
    expect(() => eventIndex('JobHoldEvent')).toThrow(/not an HTCondor event type/);
    expect(() => eventIndex('GenericEvent')).toThrow(/does not emit/);
  });
});
