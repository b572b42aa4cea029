/** @jest-environment node */
import { generateGrid, type GeneratedGrid } from '../generator';
import {
  dailyIndex,
  documentId,
  expectedDailyCounts,
  expectedTypeCounts,
  gridDocuments,
  gridIndices,
} from './esDocuments';
import { eventIndexTemplate, templateNameFor } from './esTemplate';

const START = '2024-05-30T20:00:00Z'; // crosses a day (and month) boundary

function grid(hours = 30, extra = {}): GeneratedGrid {
  return generateGrid({ start: START, hours, seed: 4, scale: 0.01, outageRatePerWeek: 0, gapRatePerWeek: 0, ...extra });
}

describe('event documents', () => {
  const g = grid(30, { outages: [{ kind: 'monitoring_gap', start: '2024-05-31T03:00:00Z', activeHours: 2 }] });
  const docs = [...gridDocuments(g, 'test-')];

  it('one document per generated event, none in monitoring gaps', () => {
    const total = Array.from(g.totals).reduce((a, b) => a + b, 0);
    expect(docs).toHaveLength(total);
    expect(
      docs.some(
        (d) => d.doc['@timestamp'].startsWith('2024-05-31T03') || d.doc['@timestamp'].startsWith('2024-05-31T04')
      )
    ).toBe(false);
  });

  it('has unique ids and timestamps inside their hour and day index', () => {
    expect(new Set(docs.map((d) => d.id)).size).toBe(docs.length);
    for (const d of docs) {
      const t = Date.parse(d.doc['@timestamp']);
      expect(d.index).toBe(dailyIndex('test-', t));
      expect(d.id.slice(0, 10)).toBe(d.doc['@timestamp'].slice(0, 13).replace(/[-T]/g, ''));
      expect(d.doc.jobid).toBe(`${d.doc.Cluster}.${d.doc.Proc}@${d.doc.schedd}`);
      expect(Number.isInteger(d.doc.Cluster) && d.doc.Cluster > 0).toBe(true);
    }
    expect(new Set(docs.map((d) => d.index))).toEqual(
      new Set(['test-2024.05.30', 'test-2024.05.31', 'test-2024.06.01'])
    );
  });

  it('is deterministic', () => {
    const again = [
      ...gridDocuments(
        grid(30, { outages: [{ kind: 'monitoring_gap', start: '2024-05-31T03:00:00Z', activeHours: 2 }] }),
        'test-'
      ),
    ];
    expect(again).toEqual(docs);
  });

  it('expected counts per day and per type agree with the documents', () => {
    const perDay = new Map<string, number>();
    const perType = new Map<string, number>();
    for (const d of docs) {
      perDay.set(d.index, (perDay.get(d.index) ?? 0) + 1);
      perType.set(d.doc.MyType, (perType.get(d.doc.MyType) ?? 0) + 1);
    }
    expect(Object.fromEntries(expectedDailyCounts(g, 'test-'))).toEqual(Object.fromEntries(perDay));
    for (const [t, n] of expectedTypeCounts(g)) {
      expect(perType.get(t) ?? 0).toBe(n);
    }
  });

  it('lists the daily indices of the range, gap days included', () => {
    expect(gridIndices(g, 'test-')).toEqual(['test-2024.05.30', 'test-2024.05.31', 'test-2024.06.01']);
  });

  it('names ids and templates predictably', () => {
    expect(documentId(Date.parse('2024-01-02T03:00:00Z'), 'JobHeldEvent', 'nova', 'jobsub01.fnal.gov', 7)).toBe(
      '2024010203-12-nova-jobsub01-7'
    );
    expect(dailyIndex('fifebatch-logs-', Date.parse('2024-01-02T23:59:59Z'))).toBe('fifebatch-logs-2024.01.02');
    expect(templateNameFor('fifebatch-logs-')).toBe('gridsentinel-fifebatch-logs');
    const t = eventIndexTemplate('x-');
    expect(t.index_patterns).toEqual(['x-*']);
    expect(t.template.mappings.properties.MyType.type).toBe('keyword');
    expect(t.template.mappings.properties['@timestamp'].type).toBe('date');
    expect(t.template.mappings.properties.Cluster.type).toBe('long');
  });
});
