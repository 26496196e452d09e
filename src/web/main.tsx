import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
// antd's styles as one static file (zero-runtime, theme.zeroRuntime in App.tsx): antd otherwise computes and
// injects each component's CSS in JavaScript the first time the component shows, on every page load. In
// the browser's main thread that was a quarter of a page's start (the category page 2.1-2.2 s → 1.6-1.7 s,
// an order 1.7 s → 1.2-1.3 s, desktop Chromium); a grid worker's phone feels it more.
import "antd/dist/antd.css";
import "./app/i18n/index.ts";
import "./app/app.css";
import { App } from "./app/App.tsx";

createRoot(document.getElementById("root")!, {
  // An error a boundary caught is shown in its place (the map's card says it could not draw): a warning in the
  // console, not an error of the page.
  onCaughtError: (error, info) => console.warn("caught by a boundary:", error, info.componentStack),
}).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
