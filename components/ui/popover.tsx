"use client";
/**
 * A button that opens a small panel below it (a menu, a picker). The panel is
 * kept inside the viewport, Escape or a click outside closes it, and closing
 * it with Escape or from inside returns focus to the button.
 */
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from "react";
import { Button, type ButtonVariant } from "./button";

/** Space kept between the panel and the viewport's edges, in CSS pixels. */
const MARGIN = 8;
/** The panel never shrinks below this height to fit; it scrolls instead. */
const MIN_HEIGHT = 160;

export function Popover({
  label,
  trigger,
  variant = "secondary",
  children,
}: {
  /** The panel's accessible name. */
  label: string;
  trigger: ReactNode;
  variant?: ButtonVariant;
  children: (close: () => void) => ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  const [place, setPlace] = useState<{ shift: number; room: number | undefined }>({ shift: 0, room: undefined });

  const close = useCallback(() => {
    setOpen(false);
    button.current?.focus();
  }, []);

  useEffect(() => {
    if (!open) return;
    const outside = (e: MouseEvent) => {
      if (box.current && !box.current.contains(e.target as Node)) setOpen(false);
    };
    const escape = (e: KeyboardEvent) => {
      if (e.key !== "Escape") return;
      e.preventDefault();
      close();
    };
    document.addEventListener("mousedown", outside);
    document.addEventListener("keydown", escape);
    return () => {
      document.removeEventListener("mousedown", outside);
      document.removeEventListener("keydown", escape);
    };
  }, [open, close]);

  // Measured before paint: shifted left when it would leave the viewport's right edge, shortened above its bottom.
  useLayoutEffect(() => {
    if (!open || !panel.current) return void setPlace({ shift: 0, room: undefined });
    const anchor = box.current!.getBoundingClientRect();
    const width = panel.current.offsetWidth;
    const overflow = anchor.left + width - (document.documentElement.clientWidth - MARGIN);
    const shift = overflow > 0 ? -Math.min(overflow, Math.max(0, anchor.left - MARGIN)) : 0;
    const below = window.innerHeight - anchor.bottom - MARGIN;
    setPlace({ shift, room: Math.max(MIN_HEIGHT, below) });
    // The first field or control inside takes focus, so the keyboard can go on from the button.
    panel.current.querySelector<HTMLElement>("input, button, select, a[href]")?.focus();
  }, [open]);

  return (
    <div ref={box} style={{ position: "relative" }}>
      <Button ref={button} size="sm" variant={variant} onClick={() => setOpen((o) => !o)} aria-expanded={open} aria-haspopup="dialog">
        {trigger}
      </Button>
      {open ? (
        <div ref={panel} className="popover" role="dialog" aria-label={label} style={{ left: place.shift, ...(place.room !== undefined ? { ["--popover-room" as string]: `${place.room}px` } : {}) }}>
          {children(close)}
        </div>
      ) : null}
    </div>
  );
}
