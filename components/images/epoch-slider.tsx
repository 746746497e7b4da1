"use client";
/** Steps through the validation epochs; the arrow keys move it too, anywhere on the page. */
import { useEffect } from "react";
import styles from "./images.module.css";

export function EpochSlider({ epochs, value, onChange }: { epochs: number[]; value: number; onChange: (epoch: number) => void }) {
  const pos = Math.max(0, epochs.indexOf(value));
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (t && (t.closest("input, textarea, select, dialog, [contenteditable]") !== null)) return;
      if (e.key === "ArrowLeft" && pos > 0) onChange(epochs[pos - 1]);
      else if (e.key === "ArrowRight" && pos < epochs.length - 1) onChange(epochs[pos + 1]);
      else return;
      e.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [epochs, pos, onChange]);
  if (!epochs.length) return null;
  return (
    <div className={styles.slider}>
      <button type="button" onClick={() => onChange(epochs[pos - 1])} disabled={pos === 0} aria-label="Previous epoch">
        ←
      </button>
      <input
        type="range"
        min={0}
        max={epochs.length - 1}
        step={1}
        value={pos}
        aria-label="Epoch"
        aria-valuetext={`epoch ${value}`}
        onChange={(e) => onChange(epochs[Number(e.target.value)])}
      />
      <button type="button" onClick={() => onChange(epochs[pos + 1])} disabled={pos === epochs.length - 1} aria-label="Next epoch">
        →
      </button>
      <output data-testid="epoch-value">
        epoch {value} <span className={styles.meta}>({pos + 1} of {epochs.length})</span>
      </output>
    </div>
  );
}
