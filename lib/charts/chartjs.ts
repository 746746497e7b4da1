/**
 * chart.js with the parts the dashboard uses, loaded on first use in the
 * browser (the zoom plugin's gesture library touches `window` when imported).
 */
import type { Chart as ChartType } from "chart.js";

let loading: Promise<typeof ChartType> | null = null;

export function loadChartJs(): Promise<typeof ChartType> {
  loading ??= (async () => {
    const c = await import("chart.js");
    const zoom = (await import("chartjs-plugin-zoom")).default;
    c.Chart.register(c.LineController, c.LineElement, c.PointElement, c.LinearScale, c.LogarithmicScale, c.Tooltip, c.Filler, zoom);
    return c.Chart;
  })();
  return loading;
}

// Start fetching the chunk as soon as a page with charts loads in the browser,
// in parallel with hydration, rather than after the first chart mounts.
if (typeof window !== "undefined") void loadChartJs();
