"use client";
import type { FormEvent } from "react";
import { Popover } from "@/components/ui/popover";

/** Picks which config keys show as columns of the runs table. */
export function ColumnPicker({ available, chosen, onChange }: { available: string[]; chosen: string[]; onChange: (cols: string[]) => void }) {
  const keys = [...new Set([...chosen, ...available])];
  function toggle(k: string) {
    onChange(chosen.includes(k) ? chosen.filter((c) => c !== k) : [...chosen, k]);
  }
  function addTyped(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const k = String(new FormData(e.currentTarget).get("key") ?? "").trim();
    if (k && !chosen.includes(k)) onChange([...chosen, k]);
    e.currentTarget.reset();
  }
  return (
    <Popover label="Config columns" trigger={<>Config columns{chosen.length ? ` (${chosen.length})` : ""} ▾</>}>
      {() => (
        <>
          {keys.length === 0 ? <div className="muted small" style={{ padding: 6 }}>No config keys on this page.</div> : null}
          {keys.map((k) => (
            <label key={k}>
              <input type="checkbox" checked={chosen.includes(k)} onChange={() => toggle(k)} />
              <span className="mono">{k}</span>
            </label>
          ))}
          <form onSubmit={addTyped} className="row" style={{ padding: 4 }}>
            <input type="text" name="key" placeholder="other key…" aria-label="Config key" style={{ flex: 1 }} />
          </form>
        </>
      )}
    </Popover>
  );
}
