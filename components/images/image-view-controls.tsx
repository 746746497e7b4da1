"use client";
/** The image views' key chooser and prompt filter, shared by the run page and compare (both keep them in the URL). */
export function ImageViewControls({
  keys,
  activeKey,
  promptFilter,
  onChange,
}: {
  keys: string[];
  activeKey: string;
  promptFilter: string;
  onChange: (patch: { images?: string; prompt?: string }) => void;
}) {
  return (
    <>
      {keys.length > 1 && (
        <label>
          Images{" "}
          <select value={activeKey} onChange={(e) => onChange({ images: e.target.value })} aria-label="Image key">
            {keys.map((k) => (
              <option key={k}>{k}</option>
            ))}
          </select>
        </label>
      )}
      <input type="search" value={promptFilter} placeholder="Filter prompts" aria-label="Filter prompts" onChange={(e) => onChange({ prompt: e.target.value })} />
    </>
  );
}
