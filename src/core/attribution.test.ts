import { attribute, nbDeviance } from './attribution';
import type { BreakdownData, BreakdownHour } from './elasticsearch/breakdown';
import { DAY_MS, HOUR_MS } from './time';

const T0 = Date.UTC(2026, 2, 10, 5);

/** One type (JobHeldEvent) per hour: counts by schedd and by VO. */
function hour(schedd: Record<string, number>, vo: Record<string, number>): BreakdownHour {
  const total = Object.values(schedd).reduce((a, b) => a + b, 0);
  return {
    types: [{ total, by: { schedd: new Map(Object.entries(schedd)), experiment: new Map(Object.entries(vo)) } }],
  };
}

function data(hours: Array<[number, BreakdownHour]>, regionHours = 1): BreakdownData {
  return {
    eventTypes: ['JobHeldEvent'],
    dimensions: ['schedd', 'experiment'],
    stepMs: HOUR_MS,
    baselineDays: 7,
    regionTimes: Array.from({ length: regionHours }, (_, i) => T0 + i * HOUR_MS),
    hours: new Map(hours),
  };
}

const typical = (d: number, t = T0): [number, BreakdownHour] => [
  t - d * DAY_MS,
  hour({ s1: 100 + d, s2: 50 }, { mu2e: 20, nova: 130 + d }),
];

describe('attribute', () => {
  it('ranks by deviation from the median of the same hour on the previous days', () => {
    const baseline = [1, 2, 3, 4, 5, 6, 7].map((d) => typical(d));
    const r = attribute(data([...baseline, [T0, hour({ s1: 104, s2: 1290 }, { mu2e: 1200, nova: 194 })]]));
    expect(r.hours).toBe(1);
    expect(r.ranked[0]).toMatchObject({ by: 'experiment', value: 'mu2e', deviation: nbDeviance(1200, 20) });
    // Median of s2 is 50; of nova 134 (130+4); of the total 154.
    expect(r.top.schedd).toMatchObject({ value: 's2', excess: 1240, observed: 1290, typical: 50 });
    expect(r.top.experiment).toMatchObject({ value: 'mu2e', excess: 1180, typical: 20 });
    expect(r.features[0]).toMatchObject({ feature: 'JobHeldEvent', excess: 1394 - 154 });
    expect(r.text).toBe('JobHeldEvent +1,240 over typical, on s2 +1,240; VO mu2e +1,180');
  });

  it('ranks a deficit (a schedd that stopped logging) by its size, shown negative', () => {
    const baseline = [1, 2, 3].map((d) => typical(d));
    const r = attribute(data([...baseline, [T0, hour({ s1: 8, s2: 52 }, { mu2e: 10, nova: 50 })]]));
    expect(r.top.schedd).toMatchObject({ value: 's1', excess: -94 });
    expect(r.text).toMatch(/^JobHeldEvent -92 over typical, on s1 -94; VO nova -82$/);
  });

  it('sums over the region hour by hour, so a drop and its catch-up do not cancel', () => {
    const h1 = T0 + HOUR_MS;
    const baseline = [1, 2, 3].flatMap((d) => [typical(d), typical(d, h1)]);
    const r = attribute(
      data(
        [
          ...baseline,
          [T0, hour({ s1: 102, s2: 0 }, { mu2e: 20, nova: 82 })],
          [h1, hour({ s1: 102, s2: 100 }, { mu2e: 20, nova: 182 })],
        ],
        2
      )
    );
    expect(r.hours).toBe(2);
    expect(r.top.schedd).toMatchObject({ value: 's2', excess: 0 });
    expect(r.top.schedd!.deviation).toBeCloseTo(nbDeviance(0, 50) + nbDeviance(100, 50), 9);
  });

  it('skips hours without data or without typical hours, and says so when none is left', () => {
    expect(attribute(data([[T0, hour({ s1: 5 }, {})]])).text).toBe('no typical hours to compare with');
    const flat = attribute(data([typical(1), [T0, typical(1)[1]]]));
    expect(flat.text).toBe('no change from typical');
    expect(flat.ranked).toEqual([]);
  });

  it('works with one dimension only (schedd field absent)', () => {
    const d = data([typical(1), [T0, hour({ s1: 101, s2: 90 }, {})]]);
    d.dimensions = ['schedd'];
    for (const h of d.hours.values()) {
      delete h.types[0].by.experiment;
    }
    const r = attribute(d);
    expect(r.top.experiment).toBeUndefined();
    expect(r.text).toBe('JobHeldEvent +40 over typical, on s2 +40');
  });

  it("puts a small VO's few holds where none are usual above a big VO's ordinary-sized rise", () => {
    // Typical for `small` is its pooled rate (0.1 / 8), not the median 0: 6 holds are rare, not infinite.
    const baseline = [1, 2, 3, 4, 5, 6, 7].map((d): [number, BreakdownHour] => [
      T0 - d * DAY_MS,
      hour({ s1: 500 + d }, { big: 500 + d }),
    ]);
    const r = attribute(data([...baseline, [T0, hour({ s1: 656 }, { big: 650, small: 6 })]]));
    expect(r.top.experiment).toMatchObject({ value: 'small', excess: 6 - 0.1 / 8, typical: 0.1 / 8 });
    expect(r.top.experiment!.deviation).toBeGreaterThan(10 * r.ranked.find((a) => a.value === 'big')!.deviation);
  });

  it('leads the text with the first given feature that changed, and ranks several breakdowns together', () => {
    const two = (held: number, image: number, claimed: number): [BreakdownHour, BreakdownHour] => [
      {
        types: [
          { total: held, by: { experiment: new Map([['mu2e', held]]) } },
          { total: image, by: { experiment: new Map([['nova', image]]) } },
        ],
      },
      { types: [{ total: claimed, by: { experiment: new Map([['dune', claimed]]) } }] },
    ];
    const days = [1, 2, 3].map((d) => [T0 - d * DAY_MS, two(2, 100, 400)] as const);
    const now = two(2, 160, 100);
    const es: BreakdownData = {
      ...data([]),
      eventTypes: ['JobHeldEvent', 'JobImageSizeEvent'],
      dimensions: ['experiment'],
      hours: new Map([...days.map(([t, h]) => [t, h[0]] as const), [T0, now[0]]]),
    };
    const graphite: BreakdownData = {
      ...es,
      eventTypes: ['claimed'],
      hours: new Map([...days.map(([t, h]) => [t, h[1]] as const), [T0, now[1]]]),
    };
    const r = attribute([es, graphite], { lead: ['JobHeldEvent', 'JobImageSizeEvent'] });
    expect(r.ranked.map((a) => [a.feature, a.value])).toEqual([
      ['claimed', 'dune'],
      ['JobImageSizeEvent', 'nova'],
    ]);
    expect(r.text).toBe('JobImageSizeEvent +60 over typical, VO dune (claimed) -300');
  });
});

describe('nbDeviance', () => {
  it('is 0 at the mean, Poisson-like at low counts and grows with the ratio at high ones', () => {
    expect(nbDeviance(50, 50)).toBe(0);
    const poisson = (o: number, mu: number) => 2 * (o * Math.log(o / mu) - (o - mu));
    expect(nbDeviance(3, 0.05)).toBeCloseTo(poisson(3, 0.05), -1);
    expect(nbDeviance(3, 0.05, 1e9)).toBeCloseTo(poisson(3, 0.05), 5);
    // ×2 on 1,000 weighs about as much as ×2 on 100: the ratio, not the difference.
    expect(nbDeviance(2000, 1000) / nbDeviance(200, 100)).toBeLessThan(1.05);
    expect(nbDeviance(0, 40)).toBeGreaterThan(0);
  });
});
