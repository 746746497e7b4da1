"use client";
/**
 * The colours a canvas chart draws its axes and grid in, read from the page's
 * theme variables and read again whenever the theme changes: the toggle
 * (data-theme on <html>) or, on "auto", the system's colour scheme. A canvas
 * keeps what it drew, so charts restyle from this rather than from CSS.
 */
import { useEffect, useState } from "react";

export interface ChartTheme {
  /** Tick labels. */
  text: string;
  /** Grid lines and axis borders. */
  grid: string;
}

/** A theme variable as the canvas can use it: the variables hold light-dark() pairs, which only an element's computed style resolves. */
function themeColor(variable: string): string {
  const probe = document.createElement("span");
  probe.style.color = `var(${variable})`;
  document.body.appendChild(probe);
  const color = getComputedStyle(probe).color;
  probe.remove();
  return color;
}

function readTheme(): ChartTheme {
  return { text: themeColor("--text-muted"), grid: themeColor("--border") };
}

/** null until mounted (the server has no computed styles). */
export function useChartTheme(): ChartTheme | null {
  const [theme, setTheme] = useState<ChartTheme | null>(null);
  useEffect(() => {
    const update = () =>
      setTheme((prev) => {
        const next = readTheme();
        return prev && prev.text === next.text && prev.grid === next.grid ? prev : next;
      });
    update();
    const observer = new MutationObserver(update);
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
    const system = window.matchMedia("(prefers-color-scheme: dark)");
    system.addEventListener("change", update);
    return () => {
      observer.disconnect();
      system.removeEventListener("change", update);
    };
  }, []);
  return theme;
}
