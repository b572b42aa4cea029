import { PanelPlugin } from '@grafana/data';

import { OutageTimeline } from './components/OutageTimeline';
import type { TimelineOptions } from './types';

export const plugin = new PanelPlugin<TimelineOptions>(OutageTimeline)
  .setPanelOptions((builder) =>
    builder.addSliderInput({
      path: 'threshold',
      name: 'Anomaly threshold',
      description: 'Probability at or above which an hour is shown as anomalous',
      defaultValue: 0.5,
      settings: { min: 0, max: 1, step: 0.01 },
    })
  )
  .setDataSupport({ annotations: true });
