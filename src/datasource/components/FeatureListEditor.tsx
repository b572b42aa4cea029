import type { ChangeEvent } from 'react';
import { Button, Combobox, IconButton, Input, Stack, Text } from '@grafana/ui';

import { DEFAULT_FEATURE_SOURCES, type FeatureSource } from '../../core/featureSources';

interface Props {
  features: FeatureSource[];
  onChange: (features: FeatureSource[]) => void;
}

const SOURCES = [
  { value: 'elasticsearch' as const, label: 'Elasticsearch event type' },
  { value: 'graphite' as const, label: 'Graphite target' },
];

const AGGREGATIONS = ['sum', 'avg', 'max', 'min', 'last'].map((a) => ({ value: a as 'sum', label: a }));

/** Model inputs in order: each an Elasticsearch event type (counted per step) or a Graphite target. */
export function FeatureListEditor({ features, onChange }: Props) {
  const replace = (i: number, f: FeatureSource) => onChange(features.map((old, j) => (j === i ? f : old)));
  return (
    <Stack direction="column" gap={1}>
      <Text color="secondary" variant="bodySmall">
        The model&apos;s inputs, in order. A saved model only fits the feature list it was trained on.
      </Text>
      {features.map((f, i) => (
        <Stack key={i} gap={1} alignItems="center">
          <Input
            aria-label={`Feature ${i + 1} name`}
            width={26}
            value={f.name}
            onChange={(e: ChangeEvent<HTMLInputElement>) => replace(i, { ...f, name: e.target.value })}
          />
          <Combobox
            aria-label={`Feature ${i + 1} source`}
            width={28}
            options={SOURCES}
            value={f.source}
            onChange={(v) =>
              replace(
                i,
                v.value === 'graphite'
                  ? { name: f.name, source: 'graphite', target: '' }
                  : { name: f.name, source: 'elasticsearch', eventType: f.name }
              )
            }
          />
          {f.source === 'elasticsearch' ? (
            <Input
              aria-label={`Feature ${i + 1} event type`}
              width={30}
              value={f.eventType}
              onChange={(e: ChangeEvent<HTMLInputElement>) => replace(i, { ...f, eventType: e.target.value })}
            />
          ) : (
            <>
              <Input
                aria-label={`Feature ${i + 1} Graphite target`}
                width={44}
                value={f.target}
                placeholder="clusters.gpgrid.jobs.totals.running.count"
                onChange={(e: ChangeEvent<HTMLInputElement>) => replace(i, { ...f, target: e.target.value })}
              />
              <Combobox
                aria-label={`Feature ${i + 1} aggregation`}
                width={12}
                options={AGGREGATIONS}
                value={f.aggregation ?? 'sum'}
                onChange={(v) => replace(i, { ...f, aggregation: v.value })}
              />
            </>
          )}
          <IconButton
            name="trash-alt"
            tooltip="Remove feature"
            onClick={() => onChange(features.filter((_, j) => j !== i))}
          />
        </Stack>
      ))}
      <Stack gap={1}>
        <Button
          icon="plus"
          variant="secondary"
          size="sm"
          onClick={() =>
            onChange([...features, { name: `feature${features.length + 1}`, source: 'elasticsearch', eventType: '' }])
          }
        >
          Add feature
        </Button>
        <Button variant="secondary" fill="text" size="sm" onClick={() => onChange([...DEFAULT_FEATURE_SOURCES])}>
          Reset to the 13 HTCondor event types
        </Button>
      </Stack>
    </Stack>
  );
}
