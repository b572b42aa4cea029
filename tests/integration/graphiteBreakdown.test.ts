// The per-VO Graphite breakdown of "where" (core/graphite/breakdown.ts) against the real graphite-web of
// tests/services: the render target (summarize, aliasByNode on the VO node, aliasSub with the feature's
// index) is accepted, and every VO's hourly values come back for the region and the same hours before.
import { sendPlaintext } from '../../src/cli/carbon';
import { buildVoBreakdownParams, parseVoBreakdown, voFeature } from '../../src/core/graphite/breakdown';
import { DAY_MS, HOUR_MS } from '../../src/core/time';

jest.setTimeout(120_000);

const GRAPHITE = process.env.GS_GRAPHITE_URL;
const maybe = GRAPHITE ? describe : describe.skip;

maybe('Graphite breakdown by VO', () => {
  // Months back, like the other Graphite tests: hourly points only (storage-schemas.conf).
  const region = Math.floor((Date.now() - 100 * DAY_MS) / HOUR_MS) * HOUR_MS;
  const days = 2;
  const claimed = (vo: string, t: number) => (vo === 'mu2e' ? (t === region ? 5 : 40) : 100 + (t - region) / DAY_MS);
  const req = {
    features: [
      voFeature({
        name: 'claimed',
        source: 'graphite',
        target: 'sumSeries(gsbreak.clusters.gp.experiments.*.claimed.count)',
        aggregation: 'avg',
      })!,
    ],
    fromMs: region,
    toMs: region + HOUR_MS,
    stepMs: HOUR_MS,
    baselineDays: days,
  };

  it('returns each VO by name for the region and the same hour of the days before', async () => {
    const lines: string[] = [];
    for (let d = 0; d <= days; d++) {
      for (const vo of ['mu2e', 'nova']) {
        const t = region - d * DAY_MS;
        lines.push(`gsbreak.clusters.gp.experiments.${vo}.claimed.count ${claimed(vo, t)} ${t / 1000}`);
      }
    }
    await sendPlaintext([lines.join('\n') + '\n'], {
      host: process.env.GS_CARBON_HOST!,
      port: Number(process.env.GS_CARBON_PORT),
    });
    const expected = [region - 2 * DAY_MS, region - DAY_MS, region].map((t) => [
      t,
      [
        ['mu2e', claimed('mu2e', t)],
        ['nova', claimed('nova', t)],
      ],
    ]);
    let got: unknown;
    // carbon writes whisper files asynchronously: poll until every point is visible.
    for (let attempt = 0; attempt < 60; attempt++) {
      const res = await fetch(`${GRAPHITE}/render`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: buildVoBreakdownParams(req).toString(),
      });
      const text = await res.text();
      try {
        const [d] = parseVoBreakdown(req, JSON.parse(text));
        got = [...d.hours].sort((a, b) => a[0] - b[0]).map(([t, h]) => [t, [...h.types[0].by.experiment!].sort()]);
      } catch {
        got = text;
      }
      if (JSON.stringify(got) === JSON.stringify(expected)) {
        break;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(got).toEqual(expected);
  });
});
