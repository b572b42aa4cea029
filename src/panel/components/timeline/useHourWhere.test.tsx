import { act, renderHook } from '@testing-library/react';

import type { HourWhereRequest, WhereDataSource } from '../../../shared/where';
import type { TimelineCell } from '../../cells';
import { HOUR_WHERE_DELAY_MS, LOOKING, useHourWhere } from './useHourWhere';

const H = 3600e3;
const cell = (i: number, extra: Partial<TimelineCell> = {}): TimelineCell => ({
  time: 1000 * H + i * H,
  value: 0.3,
  ...extra,
});

function setup(answer: (req: HourWhereRequest) => Promise<string> = async (r) => `where of ${r.timeMs}`) {
  const calls: HourWhereRequest[] = [];
  const ds: WhereDataSource = {
    hourWhere: (req) => {
      calls.push(req);
      return answer(req);
    },
  };
  const load = jest.fn(async () => ds);
  const query = { experiment: '$vo', schedd: undefined, scopedVars: {} };
  const hook = renderHook(
    ({ c, key }: { c: TimelineCell | undefined; key: unknown }) =>
      useHourWhere({ cell: c, load, query, refreshKey: key }),
    { initialProps: { c: undefined as TimelineCell | undefined, key: 'data1' as unknown } }
  );
  return { ...hook, calls };
}

/** Lets the delay pass and the datasource's answer arrive. */
async function rest(ms = HOUR_WHERE_DELAY_MS) {
  await act(async () => {
    jest.advanceTimersByTime(ms);
    await Promise.resolve();
  });
  await act(async () => {});
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('useHourWhere', () => {
  it('asks once for an hour the pointer rests on, with its top features and the query filters', async () => {
    const { result, rerender, calls } = setup();
    rerender({ c: cell(1, { topFeatures: 'JobHeldEvent, SubmitEvent' }), key: 'data1' });
    expect(result.current).toBeUndefined();
    await rest();
    expect(calls).toEqual([
      {
        timeMs: 1001 * H,
        topFeatures: ['JobHeldEvent', 'SubmitEvent'],
        experiment: '$vo',
        schedd: undefined,
        scopedVars: {},
      },
    ]);
    expect(result.current).toBe(`where of ${1001 * H}`);
    // Away and back: the answer is kept, nothing asked again.
    rerender({ c: cell(2), key: 'data1' });
    rerender({ c: cell(1), key: 'data1' });
    await rest();
    expect(calls).toHaveLength(1);
    expect(result.current).toBe(`where of ${1001 * H}`);
  });

  it('asks nothing for hours passed over, hours without data, or hours whose where the query carries', async () => {
    const { result, rerender, calls } = setup();
    rerender({ c: cell(1), key: 'data1' });
    await rest(HOUR_WHERE_DELAY_MS / 2);
    rerender({ c: cell(2, { value: null }), key: 'data1' });
    await rest();
    rerender({ c: cell(3, { where: 'from the region' }), key: 'data1' });
    await rest();
    expect(calls).toEqual([]);
    expect(result.current).toBe('from the region');
  });

  it('says it is looking, then why there is none; new data asks again', async () => {
    let fail = (_: Error) => {};
    const { result, rerender, calls } = setup(() => new Promise((_, reject) => (fail = reject)));
    rerender({ c: cell(1), key: 'data1' });
    await rest();
    expect(result.current).toBe(LOOKING);
    await act(async () => fail(new Error('HTTP 502')));
    expect(result.current).toBe('unavailable (HTTP 502)');
    rerender({ c: cell(1), key: 'data2' });
    await rest();
    expect(calls).toHaveLength(2);
  });
});
