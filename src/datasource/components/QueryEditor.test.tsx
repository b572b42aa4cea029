import { fireEvent, render, screen } from '@testing-library/react';

import type { GridSentinelDataSource } from '../datasource';
import { DEFAULT_THRESHOLD, type GridSentinelQuery } from '../types';
import { QueryEditor } from './QueryEditor';
import { stubComboboxEnvironment } from './comboboxTestEnvironment';

beforeAll(stubComboboxEnvironment);

function setup(query: GridSentinelQuery) {
  const onChange = jest.fn();
  const onRunQuery = jest.fn();
  const view = render(
    <QueryEditor query={query} onChange={onChange} onRunQuery={onRunQuery} datasource={{} as GridSentinelDataSource} />
  );
  return { onChange, onRunQuery, ...view };
}

describe('QueryEditor', () => {
  it('shows the defaults for an empty query: probability, no filters, the default threshold', () => {
    setup({ refId: 'A' });
    expect(screen.getByLabelText('Query type')).toHaveValue('Anomaly probability');
    expect(screen.getByLabelText('Experiment')).toHaveValue('');
    expect(screen.getByLabelText('Experiment')).toHaveAttribute('placeholder', 'all');
    expect(screen.getByLabelText('Schedd')).toHaveValue('');
    expect(screen.getByLabelText('Threshold')).toHaveValue(DEFAULT_THRESHOLD);
  });

  it('shows a stored query', () => {
    setup({ refId: 'B', queryType: 'surprise', experiment: '$exp', schedd: 'jobsub01', threshold: 0.8 });
    expect(screen.getByLabelText('Query type')).toHaveValue('Surprise');
    expect(screen.getByLabelText('Query type')).toHaveAttribute('id', 'gs-query-type-B');
    expect(screen.getByLabelText('Experiment')).toHaveValue('$exp');
    expect(screen.getByLabelText('Schedd')).toHaveValue('jobsub01');
    expect(screen.getByLabelText('Threshold')).toHaveValue(0.8);
  });

  it('runs the query as soon as the type changes', () => {
    const query = { refId: 'A', experiment: 'nova' };
    const { onChange, onRunQuery } = setup(query);
    fireEvent.click(screen.getByLabelText('Query type'));
    expect(screen.getAllByRole('option').map((o) => o.textContent)).toEqual([
      expect.stringContaining('Anomaly probability'),
      expect.stringContaining('Features'),
      expect.stringContaining('Surprise'),
      expect.stringContaining('Explanation'),
    ]);
    fireEvent.click(screen.getByRole('option', { name: /^Features/ }));
    expect(onChange).toHaveBeenCalledTimes(1);
    expect(onChange).toHaveBeenCalledWith({ refId: 'A', experiment: 'nova', queryType: 'features' });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['Experiment', 'experiment', 'nova'],
    ['Schedd', 'schedd', 'jobsub02.fnal.gov'],
  ])('changes the %s filter while typing and runs the query on blur', (label, key, value) => {
    const query: GridSentinelQuery = { refId: 'A', queryType: 'probability', threshold: 0.7 };
    const { onChange, onRunQuery } = setup(query);
    fireEvent.change(screen.getByLabelText(label), { target: { value } });
    expect(onChange).toHaveBeenCalledWith({ ...query, [key]: value });
    expect(onRunQuery).not.toHaveBeenCalled();
    fireEvent.blur(screen.getByLabelText(label));
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('stores the threshold as a number', () => {
    const query: GridSentinelQuery = { refId: 'A', queryType: 'probability' };
    const { onChange, onRunQuery } = setup(query);
    fireEvent.change(screen.getByLabelText('Threshold'), { target: { value: '0.35' } });
    expect(onChange).toHaveBeenCalledWith({ refId: 'A', queryType: 'probability', threshold: 0.35 });
    expect(onRunQuery).not.toHaveBeenCalled();
    fireEvent.blur(screen.getByLabelText('Threshold'));
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });
});
