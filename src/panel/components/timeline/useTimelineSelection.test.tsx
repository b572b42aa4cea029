import { act, renderHook } from '@testing-library/react';
import type { KeyboardEvent, PointerEvent } from 'react';

import type { LabelValue } from '../../../core/labels';
import { cellRect, layoutGrid } from '../../../core/timelineLayout';
import { useTimelineSelection } from './useTimelineSelection';

const H = 3600e3;
// Two days of hours from midnight: 24 columns of 10 px after a 46 px gutter, rows 20 px high.
const layout = layoutGrid({ count: 48, stepMs: H, firstLocalMs: 0, width: 46 + 240, height: 54, left: 46, top: 14 });

const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
svg.getBoundingClientRect = () => ({ left: 0, top: 0, right: 286, bottom: 54, width: 286, height: 54 }) as DOMRect;
svg.setPointerCapture = () => {};

function pointer(i: number, init: { button?: number; shiftKey?: boolean; altKey?: boolean } = {}) {
  const r = cellRect(layout, i);
  return {
    currentTarget: svg,
    clientX: r.x + r.width / 2,
    clientY: r.y + r.height / 2,
    button: 0,
    pointerId: 1,
    shiftKey: false,
    altKey: false,
    ...init,
  } as unknown as PointerEvent<SVGSVGElement>;
}

function key(k: string, init: { shiftKey?: boolean; altKey?: boolean; ctrlKey?: boolean; target?: Element } = {}) {
  return {
    key: k,
    target: svg,
    shiftKey: false,
    altKey: false,
    ctrlKey: false,
    metaKey: false,
    preventDefault: jest.fn(),
    ...init,
  } as unknown as KeyboardEvent<HTMLElement>;
}

function setup(writable = true, mode: LabelValue = 'anomaly') {
  const toggle = jest.fn();
  const undoLast = jest.fn();
  const hook = renderHook(() => useTimelineSelection({ layout, writable, mode, toggle, undoLast }));
  const h = () => hook.result.current.handlers;
  return { hook, toggle, undoLast, h };
}

const selected = (runs: Array<{ first: number; last: number }>) => runs.map((r) => [r.first, r.last]);

describe('useTimelineSelection', () => {
  it('labels the clicked hour with the mode, and focuses it', () => {
    const { hook, toggle, h } = setup();
    act(() => h().onPointerDown(pointer(30)));
    act(() => h().onPointerUp(pointer(30)));
    expect(toggle).toHaveBeenCalledWith(30, 30, 'anomaly');
    expect(hook.result.current.focus).toBe(30);
    expect(hook.result.current.selectionRuns).toEqual([]);
  });

  it('labels a dragged range, showing it as a selection while dragging (across rows)', () => {
    const { hook, toggle, h } = setup();
    act(() => h().onPointerDown(pointer(20)));
    act(() => h().onPointerMove(pointer(26)));
    expect(selected(hook.result.current.selectionRuns)).toEqual([
      [20, 23],
      [24, 26],
    ]);
    expect(toggle).not.toHaveBeenCalled();
    act(() => h().onPointerUp(pointer(26)));
    expect(toggle).toHaveBeenCalledWith(20, 26, 'anomaly');
    expect(hook.result.current.selectionRuns).toEqual([]);
  });

  it('labels the other value with Alt, and from the focused hour with Shift', () => {
    const { toggle, h } = setup(true, 'normal');
    act(() => h().onPointerDown(pointer(5, { altKey: true })));
    act(() => h().onPointerUp(pointer(5)));
    expect(toggle).toHaveBeenLastCalledWith(5, 5, 'anomaly');
    act(() => h().onPointerDown(pointer(9, { shiftKey: true })));
    expect(toggle).toHaveBeenLastCalledWith(5, 9, 'normal');
  });

  it('ignores other buttons and points outside the grid', () => {
    const { toggle, h, hook } = setup();
    act(() => h().onPointerDown(pointer(5, { button: 2 })));
    act(() => h().onPointerUp(pointer(5)));
    const outside = { ...pointer(0), clientX: 10 } as unknown as PointerEvent<SVGSVGElement>;
    act(() => h().onPointerDown(outside));
    act(() => h().onPointerUp(outside));
    expect(toggle).not.toHaveBeenCalled();
    expect(hook.result.current.focus).toBe(0);
  });

  it('only moves focus for a user who may not label', () => {
    const { hook, toggle, h } = setup(false);
    act(() => h().onPointerDown(pointer(12)));
    act(() => h().onPointerMove(pointer(14)));
    act(() => h().onPointerUp(pointer(14)));
    expect(toggle).not.toHaveBeenCalled();
    expect(hook.result.current.focus).toBe(12);
    expect(hook.result.current.selectionRuns).toEqual([]);
  });

  it('tracks the hovered hour and forgets it when the pointer leaves', () => {
    const { hook, h } = setup();
    act(() => h().onPointerMove(pointer(7)));
    expect(hook.result.current.hover?.i).toBe(7);
    act(() => h().onPointerLeave());
    expect(hook.result.current.hover).toBeNull();
  });

  it('moves with arrows, extends with Shift, labels with Space, clears with Escape', () => {
    const { hook, toggle, h } = setup();
    act(() => h().onFocus());
    expect(hook.result.current.focused).toBe(true);
    act(() => hook.result.current.onKeyDown(key('ArrowDown')));
    expect(hook.result.current.focus).toBe(24);
    act(() => hook.result.current.onKeyDown(key('ArrowRight', { shiftKey: true })));
    act(() => hook.result.current.onKeyDown(key('ArrowRight', { shiftKey: true })));
    expect(hook.result.current.focus).toBe(26);
    expect(selected(hook.result.current.selectionRuns)).toEqual([[24, 26]]);
    act(() => hook.result.current.onKeyDown(key('Escape')));
    expect(hook.result.current.selectionRuns).toEqual([]);
    act(() => hook.result.current.onKeyDown(key('ArrowLeft', { shiftKey: true })));
    act(() => hook.result.current.onKeyDown(key(' ', { altKey: true })));
    expect(toggle).toHaveBeenCalledWith(26, 25, 'normal');
    expect(hook.result.current.selectionRuns).toEqual([]);
    act(() => hook.result.current.onKeyDown(key('Enter')));
    expect(toggle).toHaveBeenLastCalledWith(25, 25, 'anomaly');
    act(() => h().onBlur());
    expect(hook.result.current.focused).toBe(false);
  });

  it('undoes with Ctrl+Z from anywhere in the panel; other keys only act on the timeline', () => {
    const { hook, undoLast, toggle } = setup();
    const button = document.createElement('button');
    act(() => hook.result.current.onKeyDown(key('z', { ctrlKey: true, target: button })));
    expect(undoLast).toHaveBeenCalledTimes(1);
    act(() => hook.result.current.onKeyDown(key('Enter', { target: button })));
    act(() => hook.result.current.onKeyDown(key('ArrowRight', { target: button })));
    expect(toggle).not.toHaveBeenCalled();
    expect(hook.result.current.focus).toBe(0);
  });
});
