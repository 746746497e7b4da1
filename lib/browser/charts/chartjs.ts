/**
 * chart.js with the parts the dashboard uses, loaded on first use in the
 * browser (the zoom plugin's gesture library touches `window` when imported).
 */
import type { Chart as ChartType } from "chart.js";

let loading: Promise<typeof ChartType> | null = null;

export function loadChartJs(): Promise<typeof ChartType> {
  loading ??= (async () => {
    // Both chunks at once: the plugin does not need chart.js loaded to be fetched.
    const [c, { default: zoom }] = await Promise.all([import("chart.js"), import("chartjs-plugin-zoom")]);
    c.Chart.register(c.LineController, c.LineElement, c.PointElement, c.LinearScale, c.LogarithmicScale, c.Tooltip, c.Filler, zoom);
    return c.Chart;
  })();
  return loading;
}

// Start fetching the chunk as soon as a page with charts loads in the browser,
// in parallel with hydration, rather than after the first chart mounts.
if (typeof window !== "undefined") void loadChartJs();
