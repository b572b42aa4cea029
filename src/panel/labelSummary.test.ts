import { countLabels, describeLabel, describeLabelCounts, labelAdjective } from './labelSummary';

describe('label wording', () => {
  it('names one hour', () => {
    expect(describeLabel('anomaly')).toBe('labelled anomalous');
    expect(describeLabel('normal')).toBe('labelled normal');
    expect(describeLabel(null)).toBe('unlabelled');
    expect(describeLabel(undefined)).toBe('unlabelled');
    expect(labelAdjective('anomaly')).toBe('anomalous');
  });

  it('counts labelled hours, leaving unlabelled ones out', () => {
    expect(countLabels(['anomaly', null, 'normal', 'anomaly', null])).toEqual({ anomalous: 2, normal: 1 });
    expect(countLabels([])).toEqual({ anomalous: 0, normal: 0 });
  });

  it('sums the counts up in one sentence', () => {
    expect(describeLabelCounts({ anomalous: 12, normal: 30 })).toBe('12 hours labelled anomalous, 30 labelled normal.');
  });
});
