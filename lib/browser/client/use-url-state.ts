"use client";
/**
 * View state mirrored into the URL: every change rewrites the query string
 * (tab changes push a history entry, slider moves replace it), so the address
 * bar is always a link to what is on screen.
 */
import { useCallback, useEffect, useRef, useState } from "react";

export function useUrlState<S>(initial: S, toQuery: (s: S) => string, parse: (p: URLSearchParams) => S): [S, (patch: Partial<S>, opts?: { push?: boolean }) => void] {
  const [state, setState] = useState(initial);
  const ref = useRef(state);
  ref.current = state;
  const toQueryRef = useRef(toQuery);
  toQueryRef.current = toQuery;

  const update = useCallback((patch: Partial<S>, opts: { push?: boolean } = {}) => {
    const next = { ...ref.current, ...patch };
    ref.current = next;
    setState(next);
    const url = window.location.pathname + toQueryRef.current(next) + window.location.hash;
    if (opts.push) window.history.pushState(null, "", url);
    else window.history.replaceState(null, "", url);
  }, []);

  // Back and forward restore the state of that entry.
  useEffect(() => {
    const onPop = () => setState(parse(new URLSearchParams(window.location.search)));
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, [parse]);

  return [state, update];
}

/** The current time, refreshed every `ms` while `active`, for durations of running runs. */
export function useNow(active: boolean, ms = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [active, ms]);
  return now;
}
