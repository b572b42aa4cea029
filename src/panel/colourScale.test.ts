import { probabilityColour } from './colourScale';

describe('probabilityColour', () => {
  it('traffic light is stepped around the threshold', () => {
    expect(probabilityColour(0.1, 0.5, 'traffic')).toBe('#73bf69');
    expect(probabilityColour(0.3, 0.5, 'traffic')).toBe('#fade2a');
    expect(probabilityColour(0.5, 0.5, 'traffic')).toBe('#f2495c');
  });

  it('smooth schemes reach the top colour exactly at the threshold and differ below', () => {
    expect(probabilityColour(0.7, 0.7, 'blueOrange')).toBe('#e66101');
    expect(probabilityColour(0, 0.7, 'blueOrange')).toBe('#2166ac');
    expect(probabilityColour(0.2, 0.7, 'greys')).not.toBe(probabilityColour(0.5, 0.7, 'greys'));
  });
});
