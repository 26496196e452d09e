import { useSyncExternalStore } from "react";

// People who ask their system for less motion (vestibular disorders, old phones) get the app without
// animations: antd's (App.tsx) and the charts' growing bars and lines. The browser tests ask for it too, so a
// click never lands on a half-open dialog and a chart is drawn once instead of for a second of frames.
const REDUCED_MOTION = "(prefers-reduced-motion: reduce)";

function subscribe(onChange: () => void): () => void {
  const mq = window.matchMedia(REDUCED_MOTION);
  mq.addEventListener("change", onChange);
  return () => mq.removeEventListener("change", onChange);
}

export function usePrefersReducedMotion(): boolean {
  return useSyncExternalStore(subscribe, () => window.matchMedia(REDUCED_MOTION).matches);
}
