/** Colour schemes for anomaly probability (pure, so the legend and cells agree and tests can pin them). */

export type ColourScheme = 'traffic' | 'blueOrange' | 'greys';

export const COLOUR_SCHEMES: Array<{ value: ColourScheme; label: string; description: string }> = [
  {
    value: 'traffic',
    label: 'Traffic light',
    description: 'Green below half the threshold, yellow, red at or above it',
  },
  { value: 'blueOrange', label: 'Blue-orange', description: 'Colour-blind safe: blue (normal) to orange (anomalous)' },
  { value: 'greys', label: 'Greys', description: 'Dark (normal) to light (anomalous); prints well' },
];

type Rgb = [number, number, number];

const STOPS: Record<ColourScheme, Rgb[]> = {
  traffic: [
    [115, 191, 105],
    [250, 222, 42],
    [242, 73, 92],
  ],
  blueOrange: [
    [33, 102, 172],
    [209, 229, 240],
    [230, 97, 1],
  ],
  greys: [
    [45, 45, 50],
    [130, 130, 135],
    [235, 235, 240],
  ],
};

function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * t)) as Rgb;
}

function hex([r, g, b]: Rgb): string {
  return `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * Colour of a probability: the scale's middle sits at the threshold so "anomalous" always reads as the
 * top colour, whatever the threshold. Traffic light is stepped (like alert states), the others smooth.
 */
export function probabilityColour(p: number, threshold: number, scheme: ColourScheme = 'traffic'): string {
  const stops = STOPS[scheme] ?? STOPS.traffic;
  const th = Math.min(Math.max(threshold, 1e-6), 1);
  if (scheme === 'traffic') {
    return hex(p >= th ? stops[2] : p >= th / 2 ? stops[1] : stops[0]);
  }
  if (p >= th) {
    return hex(stops[2]);
  }
  const t = Math.max(0, p) / th;
  return hex(t < 0.5 ? mix(stops[0], stops[1], t * 2) : mix(stops[1], stops[2], (t - 0.5) * 2 * 0.6));
}
