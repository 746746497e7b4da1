/** The tab row of the run and compare views; the selected tab lives in the URL, so choosing one is the caller's state change. */
export interface TabBarProps<T extends string> {
  tabs: readonly T[];
  labels: Record<T, string>;
  selected: T;
  onSelect: (tab: T) => void;
  /** Names the tab list for screen readers. */
  label: string;
  /** A count shown beside a tab's label (images logged, ...). */
  counts?: Partial<Record<T, number>>;
}

export function TabBar<T extends string>({ tabs, labels, selected, onSelect, label, counts }: TabBarProps<T>) {
  return (
    <nav className="tabs" role="tablist" aria-label={label}>
      {tabs.map((t) => (
        <button key={t} type="button" role="tab" aria-selected={selected === t} className="tab" onClick={() => onSelect(t)}>
          {labels[t]}
          {Boolean(counts?.[t]) && <span className="tab-count">{counts![t]}</span>}
        </button>
      ))}
    </nav>
  );
}
