import { PanelPlugin } from '@grafana/data';

import { COLOUR_SCHEMES } from './colourScale';
import { OutageTimeline } from './components/OutageTimeline';
import { DEFAULT_TIMELINE_OPTIONS, type TimelineOptions } from './types';

export const plugin = new PanelPlugin<TimelineOptions>(OutageTimeline)
  .setPanelOptions((builder) =>
    builder
      .addSliderInput({
        path: 'threshold',
        name: 'Anomaly threshold',
        description: 'Probability at or above which an hour is shown as anomalous',
        defaultValue: DEFAULT_TIMELINE_OPTIONS.threshold,
        settings: { min: 0, max: 1, step: 0.01 },
      })
      .addRadio({
        path: 'colourScheme',
        name: 'Colour scheme',
        defaultValue: DEFAULT_TIMELINE_OPTIONS.colourScheme,
        settings: { options: COLOUR_SCHEMES },
      })
      .addBooleanSwitch({
        path: 'showLabels',
        name: 'Show labels',
        description: 'Operator labels (anomalous / normal hours) as a band under each hour',
        defaultValue: DEFAULT_TIMELINE_OPTIONS.showLabels,
      })
      .addBooleanSwitch({
        path: 'showSuggestions',
        name: 'Show suggestions',
        description: 'Mark unlabelled hours at or above the threshold, to label next',
        defaultValue: DEFAULT_TIMELINE_OPTIONS.showSuggestions,
      })
  )
  .setDataSupport({ annotations: true });
