import { useMemo, useState, type KeyboardEvent, type PointerEvent } from 'react';

import type { LabelValue } from '../../../core/labels';
import { hitTest, moveFocus, runsByRow, type FocusKey, type GridLayout } from '../../../core/timelineLayout';

const NAV_KEYS = new Set(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End']);

export interface Hover {
  i: number;
  /** Pointer position inside the interactive layer. */
  x: number;
  y: number;
}

export interface TimelineSelectionInput {
  layout: GridLayout;
  writable: boolean;
  /** What a click labels; Alt labels the other value. */
  mode: LabelValue;
  toggle: (a: number, b: number, value: LabelValue) => void;
  undoLast: () => void;
}

/**
 * Pointer and keyboard on the interactive layer: focus, hover, drag and Shift selections, and what they
 * label. Handlers stay plain closures (no extra work on a click's path).
 */
export function useTimelineSelection({ layout, writable, mode, toggle, undoLast }: TimelineSelectionInput) {
  const [focus, setFocus] = useState(0);
  const [focused, setFocused] = useState(false);
  const [selection, setSelection] = useState<{ anchor: number; end: number } | null>(null);
  const [drag, setDrag] = useState<{ start: number; end: number; value: LabelValue } | null>(null);
  const [hover, setHover] = useState<Hover | null>(null);

  const valueFor = (alt: boolean): LabelValue => (alt ? (mode === 'anomaly' ? 'normal' : 'anomaly') : mode);

  const pointIndex = (e: PointerEvent<SVGSVGElement>): Hover => {
    const box = e.currentTarget.getBoundingClientRect();
    return {
      i: hitTest(layout, e.clientX - box.left, e.clientY - box.top),
      x: e.clientX - box.left,
      y: e.clientY - box.top,
    };
  };

  const onPointerDown = (e: PointerEvent<SVGSVGElement>) => {
    const { i } = pointIndex(e);
    if (e.button !== 0 || i < 0) {
      return;
    }
    e.currentTarget.focus();
    if (e.shiftKey && writable) {
      // Shift-click labels the range from the focused hour.
      toggle(focus, i, valueFor(e.altKey));
      setFocus(i);
      return;
    }
    setFocus(i);
    setSelection(null);
    if (writable) {
      e.currentTarget.setPointerCapture?.(e.pointerId);
      setDrag({ start: i, end: i, value: valueFor(e.altKey) });
    }
  };

  const onPointerMove = (e: PointerEvent<SVGSVGElement>) => {
    const p = pointIndex(e);
    if (drag && p.i >= 0 && p.i !== drag.end) {
      setDrag({ ...drag, end: p.i });
    }
    if (p.i !== hover?.i) {
      setHover(p.i >= 0 ? p : null);
    }
  };

  const onPointerUp = (e: PointerEvent<SVGSVGElement>) => {
    if (!drag) {
      return;
    }
    const p = pointIndex(e);
    const end = p.i >= 0 ? p.i : drag.end;
    setDrag(null);
    setFocus(end);
    toggle(drag.start, end, drag.value);
  };

  // On the panel's root, so Ctrl/Cmd+Z works from the toolbar too; the rest only from the timeline itself.
  const onKeyDown = (e: KeyboardEvent<HTMLElement>) => {
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'z') {
      e.preventDefault();
      undoLast();
      return;
    }
    if (!(e.target instanceof SVGSVGElement)) {
      return;
    }
    if (NAV_KEYS.has(e.key)) {
      e.preventDefault();
      const next = moveFocus(layout, focus, e.key as FocusKey);
      setSelection(e.shiftKey ? { anchor: selection?.anchor ?? focus, end: next } : null);
      setFocus(next);
    } else if (e.key === ' ' || e.key === 'Enter') {
      e.preventDefault();
      const sel = selection ?? { anchor: focus, end: focus };
      toggle(sel.anchor, sel.end, valueFor(e.altKey));
      setSelection(null);
    } else if (e.key === 'Escape') {
      setSelection(null);
    }
  };

  const selected = drag ? [drag.start, drag.end] : selection ? [selection.anchor, selection.end] : null;
  const selLo = selected ? Math.min(selected[0], selected[1]) : -1;
  const selHi = selected ? Math.max(selected[0], selected[1]) : -1;
  const selectionRuns = useMemo(
    () => (selLo < 0 ? [] : runsByRow(layout, (i) => (i >= selLo && i <= selHi ? true : null))),
    [layout, selLo, selHi]
  );

  return {
    focus,
    focused,
    hover,
    /** The dragged or Shift-selected hours, as runs per row. */
    selectionRuns,
    onKeyDown,
    /** For the interactive SVG layer. */
    handlers: {
      onPointerDown,
      onPointerMove,
      onPointerUp,
      onPointerLeave: () => setHover(null),
      onFocus: () => setFocused(true),
      onBlur: () => setFocused(false),
    },
  };
}
