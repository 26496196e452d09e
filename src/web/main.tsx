import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
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
